/**
 * IAM wildcard matching: `*` matches any run of characters (including none, and `/`), `?`
 * exactly one. Iterative with backtracking to the last `*`: linear-ish, no regex built from
 * policy text (so no ReDoS from a hostile pattern).
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/**
 * `ArnLike`/`ArnEquals`: the six colon-separated parts of the ARN are matched one by one,
 * each with wildcards (the last part keeps any further colons).
 */
export function arnMatch(pattern: string, arn: string): boolean {
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  if (patternParts === undefined || arnParts === undefined) return pattern === '*' || pattern === arn;
  return patternParts.every((part, index) => wildcardMatch(part, arnParts[index] ?? ''));
}

function splitArn(value: string): string[] | undefined {
  const parts: string[] = [];
  let rest = value;
  for (let i = 0; i < 5; i++) {
    const at = rest.indexOf(':');
    if (at === -1) return undefined;
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  return parts;
}
