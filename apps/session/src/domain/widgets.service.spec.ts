import { widgetConfigSchema } from '@widget/contracts';
import { mergeWidgetConfig } from './widgets.service';

describe('mergeWidgetConfig', () => {
  const base = widgetConfigSchema.parse({ name: 'W', allowedOrigins: ['https://a.test'], forms: { visibleFormIds: [] } });

  it('merges sections key by key and keeps what the patch does not name', () => {
    const merged = mergeWidgetConfig(base, { theme: { primaryColor: '#000000' }, identity: { anonymousAllowed: false } });
    expect(merged.theme).toEqual({ ...base.theme, primaryColor: '#000000' });
    expect(merged.identity).toEqual({ anonymousAllowed: false, jwtRequiredForIdentifiedUsers: true, allowAnonymousToIdentifiedMerge: true });
    expect(merged.name).toBe('W');
  });

  it('replaces arrays and scalars', () => {
    const merged = mergeWidgetConfig(base, { allowedOrigins: ['https://b.test'], enabled: false });
    expect(merged.allowedOrigins).toEqual(['https://b.test']);
    expect(merged.enabled).toBe(false);
  });
});
