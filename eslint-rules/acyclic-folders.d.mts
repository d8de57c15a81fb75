import type { ESLint, Rule } from "eslint";

export declare const acyclicFolders: Rule.RuleModule;
declare const plugin: ESLint.Plugin & { rules: { "acyclic-folders": Rule.RuleModule } };
export default plugin;
