import { basePathOf, ROUTE_LIST } from '@widget/contracts';

/** The routes that take a multipart body (an attachment upload: `upload` in the route table); the edge refuses one anywhere else. */
export const UPLOAD_ROUTES: ReadonlySet<string> = new Set(ROUTE_LIST.filter((r) => r.upload).map((r) => `${basePathOf(r.api)}${r.path}`));
