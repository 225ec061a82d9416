/**
 * Log paths pino replaces with `[redacted]`: credentials (the admin bearer token, cookies) and raw card or customer
 * identifiers, should any code path ever log them. Card ids are logged only through `cardHasher`.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'adminToken',
  '*.adminToken',
  'token',
  '*.token',
  'customerId',
  '*.customerId',
  'CUSTOMER_ID',
  '*.CUSTOMER_ID',
  'cardNumber',
  '*.cardNumber',
  'pan',
  '*.pan',
  'cvv',
  '*.cvv',
];
