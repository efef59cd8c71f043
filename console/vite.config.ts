import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// Two pages, one bundle graph: the desk console (index.html) and the command screen (screen.html).
// Served by the Python server under /console/ (see server/web/routes/console.py).
export default defineConfig({
  base: "/console/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: { console: fileURLToPath(new URL("index.html", import.meta.url)), screen: fileURLToPath(new URL("screen.html", import.meta.url)) },
    },
  },
});
