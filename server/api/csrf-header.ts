/** Sent with every API call from the console; mutations without it are refused (see csrf.ts). */
export const CSRF_HEADER = "x-hypercell-csrf";
