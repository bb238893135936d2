/** Header field 7: how the body is laid out (spec: esdk message-header.md#content-type). */
export const ContentType = { NON_FRAMED: 1, FRAMED: 2 } as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];
