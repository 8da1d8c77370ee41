/** Kubernetes' expansion of a container's args and env values (kubernetes-expansion.mjs). */
export function expandAsKubernetes(text: string, vars: Record<string, string>): string;
