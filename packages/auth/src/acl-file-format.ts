import { readFile } from 'node:fs/promises';
import type { AclAccess, AclRule, AclRules } from './acl-rule.js';
import { AuthFileError } from './password-file-format.js';

const accessWords = new Set<string>(['read', 'write', 'readwrite', 'deny']);

function parseRuleLine(rest: string): { access: AclAccess; filter: string } {
  const space = rest.search(/\s/);
  const first = space === -1 ? rest : rest.slice(0, space);
  if (accessWords.has(first) && space !== -1) {
    return { access: first as AclAccess, filter: rest.slice(space).trim() };
  }
  // No access word: mosquitto grants readwrite, and the whole rest (which may hold spaces) is the topic.
  return { access: 'readwrite', filter: rest };
}

/**
 * Parses mosquitto's `acl_file` format into ACL rules:
 * - `topic [read|write|readwrite|deny] <filter>`: before any `user` line it applies to anonymous
 *   clients, after one to that user; no substitution.
 * - `user <name>`: the following `topic` lines are that user's (the name is the rest of the line).
 * - `pattern [read|write|readwrite|deny] <filter>`: applies to every client, with `%u` and `%c`
 *   substituted (and skipped when the value is missing or holds `+`, `#` or `/`).
 * - blank lines and `#` comments.
 * The access word defaults to `readwrite`. Each rule's `source` is `<source>:<line>`.
 * Throws `AuthFileError` for an unknown keyword, or a line missing its argument.
 */
export function parseAclFile(text: string, source = 'acl file'): AclRules {
  const everyone: AclRule[] = [];
  const anonymous: AclRule[] = [];
  const users: Record<string, AclRule[]> = Object.create(null) as Record<string, AclRule[]>;
  let current: AclRule[] = anonymous;
  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const location = `${source}:${index + 1}`;
    const space = line.search(/\s/);
    const keyword = space === -1 ? line : line.slice(0, space);
    const rest = space === -1 ? '' : line.slice(space).trim();
    if (rest === '') throw new AuthFileError(location, `"${keyword}" needs an argument`);
    if (keyword === 'user') {
      current = users[rest] ??= [];
    } else if (keyword === 'topic' || keyword === 'pattern') {
      const { access, filter } = parseRuleLine(rest);
      const rule = { access, filter, substitute: keyword === 'pattern', source: location };
      (keyword === 'pattern' ? everyone : current).push(rule);
    } else {
      throw new AuthFileError(location, `unknown keyword "${keyword}"`);
    }
  }
  return { everyone, anonymous, users: { ...users } };
}

/** Reads and parses a mosquitto `acl_file`. */
export async function readAclFile(path: string): Promise<AclRules> {
  return parseAclFile(await readFile(path, 'utf8'), path);
}
