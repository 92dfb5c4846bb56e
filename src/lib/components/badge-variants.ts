/**
 * The badge's colours and sizes, in a module of their own so that plain TypeScript modules
 * (labels.ts) can name them without a `.svelte` import.
 */
export type BadgeVariant = 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info';
export type BadgeSize = 'sm' | 'md' | 'lg';
