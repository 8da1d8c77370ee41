/** An object body as k6 sends it: a URL-encoded form where a list repeats its key (`topping=onion&topping=bacon`). */
export function formBody(body: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) for (const item of v) form.append(k, String(item));
    else form.append(k, String(v));
  }
  return form.toString();
}
