/** Types for scripts/check-node.mjs (plain JavaScript, run by `npm start` and `npm test` before anything is installed or built). */
export declare const SUPPORTED_NODE_LINES: number[];
export declare function nodeProblem(version?: string, loadNative?: () => unknown): { stop: boolean; line: string } | null;
