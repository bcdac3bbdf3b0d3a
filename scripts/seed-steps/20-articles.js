/**
 * Demo data: a help-center collection with a few published articles, so the
 * widget's search, article view and AI answers have something to show.
 */
const ARTICLES = [
  {
    title: 'How do I reset my password?',
    body: '<p>Open <strong>Settings → Security</strong> and choose <em>Reset password</em>. We email you a reset link that works for 30 minutes.</p><p>No email? Check your spam folder, then ask us in the chat.</p>',
  },
  {
    title: 'Shipping times and tracking',
    body: '<p>Orders ship within 2 business days. Standard delivery takes 3–5 days; express takes 1–2 days.</p><p>Your tracking link is in the shipping confirmation email.</p>',
  },
  {
    title: 'Returns and refunds',
    body: '<p>You can return any item within 30 days. Refunds reach your card 5–10 days after we receive the parcel.</p>',
  },
];

module.exports = async function seedArticles(ctx) {
  const collection = await ctx.admin('POST', `/workspaces/${ctx.workspaceId}/collections`, { name: 'Help center' });
  for (const article of ARTICLES) {
    await ctx.admin('POST', `/workspaces/${ctx.workspaceId}/articles`, { ...article, collectionId: collection.id, status: 'published' });
  }
};
