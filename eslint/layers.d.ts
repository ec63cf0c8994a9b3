// Types of layers.js for the TypeScript that imports it (its test); the rule itself is plain JS for ESLint.
import type { ESLint } from 'eslint';

export declare const CORE_LAYERS: string[][];
export declare function coreLayerOf(path: string): { name: string; level: number } | null;
export declare const layersPlugin: ESLint.Plugin;
