// Vite's ?raw imports: the file's text as a string (the common-password list in validate.ts).
declare module '*?raw' {
  const text: string;
  export default text;
}
