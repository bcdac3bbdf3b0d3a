/** The routes that take a multipart body (an attachment upload); the edge refuses one anywhere else. */
export const UPLOAD_ROUTES: ReadonlySet<string> = new Set(['/widget/v1/conversations/:id/attachments', '/admin/v1/conversations/:id/attachments']);
