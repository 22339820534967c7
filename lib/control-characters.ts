/** Control characters (C0 and DEL) have no place in a name or an address, and PostgreSQL cannot store NUL. */
const controlCharacter = /[\u0000-\u001f\u007f]/;

export function hasControlCharacters(text: string): boolean {
  return controlCharacter.test(text);
}
