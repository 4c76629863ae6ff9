/**
 * Whether a file name looks machine-generated (`EtvrFNze.aspx`, `8Lw7tAhF9i1pJnRo.aspx`): the ProxyLogon
 * OAB reset and many droppers named shells with random letters. Words people and Microsoft choose have vowels
 * every few letters and few letter/digit alternations; random strings do not. Linear, no regex on the name.
 */
export function looksRandom(fileName: string): boolean {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  if (stem.length < 6 || stem.length > 128) return false;
  let consonantRun = 0;
  let maxRun = 0;
  let alternations = 0;
  let prevDigit: boolean | undefined;
  let letters = 0;
  let vowels = 0;
  let hex = true;
  for (const ch of stem) {
    const c = ch.toLowerCase();
    const isDigit = c >= '0' && c <= '9';
    const isLetter = c >= 'a' && c <= 'z';
    if (!isDigit && !isLetter) return false; // separators: words, versions, GUIDs with dashes — not this heuristic
    if (!/[0-9a-f]/.test(c)) hex = false;
    if (isLetter) {
      letters++;
      if ('aeiou'.includes(c)) {
        consonantRun = 0;
        vowels++;
      }
      else maxRun = Math.max(maxRun, ++consonantRun);
    } else consonantRun = 0;
    if (prevDigit !== undefined && prevDigit !== isDigit) alternations++;
    prevDigit = isDigit;
  }
  if (letters === 0) return stem.length >= 8; // a bare number as a page name
  if (hex && stem.length >= 16) return true;
  // English-like names have a vowel in every three or four letters; random mixed-case strings have fewer.
  const fewVowels = letters >= 8 && vowels / letters <= 0.25;
  return maxRun >= 6 || alternations >= 4 || fewVowels;
}
