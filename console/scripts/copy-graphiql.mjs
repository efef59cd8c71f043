// GraphiQL for an offline intranet: copy its UMD build and React's from node_modules into
// dist/graphiql/, which the server serves at /console/graphiql/ (no CDN at run time).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "graphiql");
mkdirSync(out, { recursive: true });
const files = {
  "react.production.min.js": "react/umd/react.production.min.js",
  "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
  "graphiql.min.js": "graphiql/graphiql.min.js",
  "graphiql.min.css": "graphiql/graphiql.min.css",
};
for (const [name, src] of Object.entries(files)) copyFileSync(join(root, "node_modules", src), join(out, name));
console.log(`graphiql assets -> ${out}`);
