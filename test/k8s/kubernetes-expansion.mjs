/**
 * Kubernetes' expansion of a container's args, command and env values (its "dependent
 * environment variables"), for the kubectl double and the tests: `$$` is `$`; `$(NAME)` is the
 * variable NAME when `vars` has it, else it stays as written; an unclosed `$(` and any other `$`
 * stay.
 */
export function expandAsKubernetes(text, vars) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '$' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = text.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i++;
      } else {
        const name = text.slice(i + 2, close);
        out += Object.hasOwn(vars, name) ? vars[name] : `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i++;
    }
  }
  return out;
}
