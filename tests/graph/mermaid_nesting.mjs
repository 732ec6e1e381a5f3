// Reads Mermaid files with Mermaid itself and prints, as JSON, each file's
// nodes (id, label, parent) or the error Mermaid gave.
// Usage: NODE_PATH=<node_modules with mermaid and jsdom> node mermaid_nesting.mjs FILE...
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(require.resolve('mermaid'));
mermaid.initialize({ startOnLoad: false });
const found = {};
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const data = diagram.db.getData();
    found[file] = {
      nodes: data.nodes.map((n) => ({
        id: n.id, label: n.label, parent: n.parentId ?? null, shape: n.shape,
      })),
    };
  } catch (error) {
    found[file] = { error: String(error).slice(0, 500) };
  }
}
process.stdout.write(JSON.stringify(found));
