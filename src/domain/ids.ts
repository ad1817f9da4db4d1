/** The largest id a row can have on every dialect (a signed 32-bit INTEGER column); the contract's MAX_STORED_ID. */
export const MAX_STORED_ID = 2_147_483_647;

/** API.md: an id outside 1..MAX_STORED_ID names nothing. It becomes 0, which no row has on any dialect. */
export const storedIdOrNone = (value: number) => (Number.isInteger(value) && value >= 1 && value <= MAX_STORED_ID ? value : 0);
