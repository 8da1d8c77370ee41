/**
 * Text that Kubernetes passes to a container unchanged. In a container's `args`, `command` and
 * an env var's plain `value`, Kubernetes expands `$(NAME)` to the variable NAME when the
 * container defines it, and turns `$$` into `$`; any other `$` stays. Doubling every `$` undoes
 * exactly that: `$(id)` is written `$$(id)`, `$$` is written `$$$$`, and each reaches the pod as
 * it was given.
 */
export function kubernetesLiteral(text: string): string {
  return text.replaceAll('$', '$$$$');
}
