// @ts-check
/**
 * The layering rule inside core/, as an ESLint plugin: `layers/core-order`. Folders of core/ form
 * layers, and an import may only point to the same layer or one below:
 *
 *   graph → datasets → tensor → models → distill → train → store → runs → api/host/server/queue → cli
 *
 * (read "is used by"). The files directly in core/ (errors.ts, random.ts, version.ts) are the base
 * every layer may use; they use no layer. A folder missing from the order is itself an error, so a
 * new folder is placed deliberately. What two layers both need moves down, never the import up.
 */
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bottom first; folders in one entry are one layer and may import each other. */
export const CORE_LAYERS = [['graph'], ['datasets'], ['tensor'], ['models'], ['distill'], ['train'], ['store'], ['runs'], ['api', 'host', 'server', 'queue'], ['cli']];

const CORE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'core');
const ORDER_TEXT = CORE_LAYERS.map((layer) => layer.join('/')).join(' → ');

/**
 * The layer of a path inside core/: level 0 for the base files, 1.. for the folders in order, NaN
 * for a folder in no layer; null outside core/.
 * @param {string} path
 * @returns {{ name: string; level: number } | null}
 */
export function coreLayerOf(path) {
  const inCore = relative(CORE_DIR, path);
  if (inCore === '' || inCore.startsWith('..') || inCore.startsWith(sep)) return null;
  const parts = inCore.split(sep);
  if (parts.length === 1) return { name: 'core base', level: 0 };
  const index = CORE_LAYERS.findIndex((layer) => layer.includes(parts[0]));
  return { name: `core/${parts[0]}`, level: index < 0 ? Number.NaN : index + 1 };
}

/** @type {import('eslint').Rule.RuleModule} */
const coreOrder = {
  meta: {
    type: 'problem',
    docs: { description: 'imports inside core/ point down its layers only' },
    schema: [],
    messages: {
      upward: '{{from}} must not import {{to}}: inside core/ imports point down the layers only ({{order}}). Move what both need down a layer.',
      unplaced: '{{folder}} is in no layer of core/: add it to CORE_LAYERS in eslint/layers.js',
    },
  },
  create(context) {
    const from = coreLayerOf(context.filename);
    if (!from) return {};
    /** @param {import('estree').Node} node @param {unknown} source */
    const check = (node, source) => {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = coreLayerOf(resolve(dirname(context.filename), source));
      if (to && (to.level > from.level || (Number.isNaN(to.level) && to.name !== from.name))) {
        context.report({ node, messageId: Number.isNaN(to.level) ? 'unplaced' : 'upward', data: { from: from.name, to: to.name, folder: to.name, order: ORDER_TEXT } });
      }
    };
    return {
      Program(node) {
        if (Number.isNaN(from.level)) context.report({ node, messageId: 'unplaced', data: { folder: from.name } });
      },
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
    };
  },
};

export const layersPlugin = { meta: { name: 'layers' }, rules: { 'core-order': coreOrder } };
