/** The service reads and writes its tables with SQL in its repositories (webhooks/webhooks.repository.ts): no ORM entities. */
export const INTEGRATIONS_ENTITIES: [] = [];
