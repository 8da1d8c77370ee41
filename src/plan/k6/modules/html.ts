/** `k6/html`: `parseHTML(text)`, a Selection of the document (see html-selection.ts). */
import { parseHTML } from '../html-selection.ts';

export { parseHTML };

export default { parseHTML };
