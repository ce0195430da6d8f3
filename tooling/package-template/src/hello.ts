/** Replace me: the template's only export. */
export function hello(): string {
  return 'hello';
}
