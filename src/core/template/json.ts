/** A value that survives JSON.stringify / JSON.parse unchanged: what step results become in storage. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
