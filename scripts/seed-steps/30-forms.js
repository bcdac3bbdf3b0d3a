/**
 * Demo data: a "Report a problem" form, made visible on the demo widget
 * (forms.visibleFormIds absent means no form is shown).
 */
module.exports = async function seedForms(ctx) {
  const call = async (method, path, body) => {
    const res = await fetch(`${ctx.baseUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} /admin/v1${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const form = await call('POST', `/workspaces/${ctx.workspaceId}/forms`, {
    name: 'Report a problem',
    description: 'Tell us what went wrong; we answer by email.',
    fields: [
      { key: 'email', label: 'Email', type: 'email', required: true },
      { key: 'topic', label: 'Topic', type: 'select', options: ['Billing', 'Bug', 'Other'], required: true },
      { key: 'order', label: 'Order number', type: 'text', pattern: '[A-Z]-[0-9]{4}', maxLength: 6 },
      { key: 'details', label: 'What happened?', type: 'textarea', required: true, maxLength: 2000 },
    ],
  });
  const widget = await call('GET', `/widgets/${ctx.widgetId}`);
  const visible = new Set([...(widget.forms?.visibleFormIds ?? []), form.id]);
  await call('PATCH', `/widgets/${ctx.widgetId}`, { forms: { visibleFormIds: [...visible] } });
};
