/** The Integration Server's HTTPS port when none is given (the vendor's default). */
export const DEFAULT_PORT = 7271;
