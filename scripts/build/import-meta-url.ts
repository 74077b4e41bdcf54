// Injected into the CommonJS build in place of import.meta.url. pathToFileURL escapes "#", "%" and spaces, which
// tsup's own shim (`file:${__filename}`) does not: installed under such a folder, the spec would not be found.
import { pathToFileURL } from "node:url";

export const importMetaUrl = pathToFileURL(__filename).href;
