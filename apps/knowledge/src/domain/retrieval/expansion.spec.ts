import type { VocabularyFacts } from '../../persistence/vocabulary.repository';
import {
  allConceptsQuery,
  SPAN_RULES,
  WORD_RULES,
  anyConceptQuery,
  damerauWithin,
  DERIVED_WEIGHT,
  expandQuery,
  FORM_WEIGHT,
  inflections,
  longestMemberAt,
  MEMBER_TYPO_WEIGHT,
  spellingCandidates,
  spellingVariants,
  OPERATOR_WEIGHT,
  SUPPORT_WEIGHT,
  WORDNET_WEIGHT,
  wordnetCandidates,
} from './expansion';
import { SUPPORT_TERMS } from './support-terms';
import { baseForms, derivedOf, isCommonWord, isDictionaryWord, isRareWord, otherForms, Wordnet } from './wordnet';

const wordnet: Wordnet = {
  words: new Set(['remember', 'purchase', 'colleague', 'password']),
  synonyms: new Map([
    ['purchase', ['buy']],
    ['colleague', ['co worker', 'workfellow']],
  ]),
  rare: new Set(['calender', 'tier']),
  derived: new Map([['notify', ['notification', 'notifiable']]]),
  common: new Set(['get', 'remember']),
};

function facts(over: Partial<VocabularyFacts> = {}): VocabularyFacts {
  return { known: new Set(), stop: new Set(), similar: new Map(), present: new Set(), groups: [], ...over };
}

describe('expandQuery', () => {
  it('keeps a known word as it is: no corrections for correctly spelt words', () => {
    const c = expandQuery(['password'], facts({ known: new Set(['password']), similar: new Map([['password', [{ word: 'passport', similarity: 0.5 }]]]) }), { prefixLast: false, wordnet });
    expect(c).toEqual([{ text: 'password', prefix: false, alternatives: [{ text: 'password', weight: 1, kind: 'exact' }] }]);
  });

  it('corrects an unknown word by similarity or one edit, not a dictionary word', () => {
    const similar = new Map([
      ['pasword', [{ word: 'password', similarity: 0.7 }]],
      ['recieve', [{ word: 'receive', similarity: 0.33 }, { word: 'review', similarity: 0.31 }]],
      ['remember', [{ word: 'member', similarity: 0.73 }]],
    ]);
    const [pasword, recieve, remember] = expandQuery(['pasword', 'recieve', 'remember'], facts({ similar }), { prefixLast: false, wordnet });
    expect(pasword.alternatives.map((a) => [a.text, a.kind])).toEqual([['pasword', 'exact'], ['password', 'typo']]);
    expect(pasword.alternatives[1].weight).toBeCloseTo(0.85);
    // A transposition: low trigram similarity, one edit.
    expect(recieve.alternatives.map((a) => a.text)).toEqual(['recieve', 'receive']);
    expect(remember.alternatives.map((a) => a.text)).toEqual(['remember']);
  });

  it('keeps another company\'s product name as it is, flagged, unless the articles name it', () => {
    const similar = new Map([['gmail', [{ word: 'email', similarity: 0.5 }]]]);
    const [reset, gmail] = expandQuery(['reset', 'gmail'], facts({ known: new Set(['reset']), similar }), { prefixLast: false, wordnet });
    expect(reset.otherProduct).toBeUndefined();
    // Not "email" by one edit.
    expect(gmail).toEqual({ text: 'gmail', prefix: false, alternatives: [{ text: 'gmail', weight: 1, kind: 'exact' }], otherProduct: true });
    // A help center that documents its Gmail integration: an ordinary word.
    const [named] = expandQuery(['gmail'], facts({ known: new Set(['gmail']) }), { prefixLast: false, wordnet });
    expect(named.otherProduct).toBeUndefined();
  });

  it('adds WordNet synonyms the vocabulary has, below the word, never for stop words', () => {
    const [purchase, colleague] = expandQuery(['purchase', 'colleague'], facts({ known: new Set(['purchase']), present: new Set(['buy', 'co', 'worker']) }), { prefixLast: false, wordnet });
    expect(purchase.alternatives).toContainEqual({ text: 'buy', weight: WORDNET_WEIGHT, kind: 'wordnet' });
    expect(colleague.alternatives.map((a) => a.text)).toEqual(['colleague', 'co worker']);
    const [stop] = expandQuery(['purchase'], facts({ stop: new Set(['purchase']), present: new Set(['buy']) }), { prefixLast: false, wordnet });
    expect(stop.alternatives).toHaveLength(1);
    expect(expandQuery(['purchase'], facts({ present: new Set(['buy']) }), { prefixLast: false, wordnet: null })[0].alternatives).toHaveLength(1);
    // Each candidate with its regular inflections: the vocabulary may have "workers" only.
    const candidates = wordnetCandidates(['colleagues'], wordnet);
    expect(candidates).toEqual(expect.arrayContaining(['co', 'worker', 'workers', 'workfellow']));
    expect(expandQuery(['colleague'], facts({ present: new Set(['co', 'workers']) }), { prefixLast: false, wordnet })[0].alternatives.map((a) => a.text)).toEqual(['colleague', 'co worker']);
  });

  it('applies operator groups both ways, a typed phrase being one concept', () => {
    const groups = [['support', 'Help-Desk']];
    const [support] = expandQuery(['support'], facts({ groups }), { prefixLast: false, wordnet: null });
    expect(support.alternatives).toEqual([
      { text: 'support', weight: 1, kind: 'exact' },
      { text: 'help desk', weight: OPERATOR_WEIGHT, kind: 'operator' },
    ]);
    const concepts = expandQuery(['help', 'desk', 'hours'], facts({ groups }), { prefixLast: true, wordnet: null });
    expect(concepts.map((c) => c.text)).toEqual(['help desk', 'hours']);
    expect(allConceptsQuery(concepts)).toBe('((help <-> desk) | support) & hours:*');
    expect(anyConceptQuery(concepts)).toBe('((help <-> desk) | support) | hours:*');
    expect(anyConceptQuery(concepts, true)).toBe('help <-> desk | hours:*');
  });
});

describe('expandQuery: morphology, curated terms, rare words', () => {
  it('adds derived words and irregular forms the vocabulary has, below the word', () => {
    const [notify] = expandQuery(['notify'], facts({ known: new Set(['notify']), present: new Set(['notifications']) }), { prefixLast: false, wordnet });
    expect(notify.alternatives).toContainEqual({ text: 'notification', weight: DERIVED_WEIGHT, kind: 'derived' });
    expect(notify.alternatives.map((a) => a.text)).not.toContain('notifiable');
    const [forgot] = expandQuery(['forgot'], facts({ present: new Set(['forgotten']) }), { prefixLast: false, wordnet });
    expect(forgot.alternatives).toContainEqual({ text: 'forgotten', weight: FORM_WEIGHT, kind: 'form' });
  });

  it('applies the curated support terms in any inflection, phrases too, below operator groups', () => {
    const options = { prefixLast: false, wordnet, supportTerms: SUPPORT_TERMS };
    const [coworkers] = expandQuery(['coworkers'], facts(), options);
    expect(coworkers.alternatives).toContainEqual({ text: 'teammate', weight: SUPPORT_WEIGHT, kind: 'support' });
    const concepts = expandQuery(['cant', 'sign', 'in'], facts(), options);
    expect(concepts.map((c) => c.text)).toEqual(['cant', 'sign in']);
    expect(concepts[1].alternatives.map((a) => a.text)).toContain('log in');
    // An operator's group for the same word weighs more than the curated one.
    const [login] = expandQuery(['login'], facts({ groups: [['login', 'sign in']] }), options);
    expect(login.alternatives.find((a) => a.text === 'sign in')).toEqual({ text: 'sign in', weight: OPERATOR_WEIGHT, kind: 'operator' });
  });

  it('corrects a misspelt group member the articles lack to its group, not a short word or a dictionary word', () => {
    const options = { prefixLast: false, wordnet, supportTerms: SUPPORT_TERMS };
    // "colleage": one edit from "colleague", a curated member no article has; its group ("teammate") is what they say.
    const [colleage] = expandQuery(['colleage'], facts(), options);
    expect(colleage.alternatives).toContainEqual({ text: 'colleague', weight: MEMBER_TYPO_WEIGHT, kind: 'typo' });
    expect(colleage.alternatives).toContainEqual({ text: 'teammate', weight: SUPPORT_WEIGHT * MEMBER_TYPO_WEIGHT, kind: 'support' });
    // Under five letters a single edit reaches too many words ("bils" is not corrected to "bill" this way).
    expect(expandQuery(['bils'], facts(), options)[0].alternatives.map((a) => a.text)).toEqual(['bils']);
    // The unfinished last word of a search is not "corrected" to a member it begins: "invit" → "invite".
    expect(expandQuery(['invit'], facts(), { ...options, prefixLast: true })[0].alternatives.filter((a) => a.kind === 'typo')).toEqual([]);
    expect(expandQuery(['invit'], facts(), options)[0].alternatives).toContainEqual({ text: 'invite', weight: MEMBER_TYPO_WEIGHT, kind: 'typo' });
    // A correctly spelt dictionary word is never corrected to a member.
    expect(expandQuery(['remember'], facts(), options)[0].alternatives.filter((a) => a.kind === 'typo')).toEqual([]);
  });

  it('keeps everyday phrases out of the curated groups: "get in touch" is not "log in"', () => {
    const concepts = expandQuery(['get', 'in', 'touch', 'with', 'sales'], facts(), { prefixLast: false, wordnet, supportTerms: SUPPORT_TERMS });
    expect(concepts.flatMap((c) => c.alternatives.map((a) => a.text))).not.toContain('log in');
  });

  it('reads a two-word phrasal verb split by an object pronoun as the phrase', () => {
    const groups = [[['turn', 'off'], ['disable']]];
    expect(longestMemberAt(['turn', 'them', 'off', 'now'], 0, groups)).toEqual({ member: ['turn', 'off'], length: 3 });
    expect(longestMemberAt(['turn', 'left', 'off'], 0, groups)).toBeNull();
    const concepts = expandQuery(['turn', 'it', 'off'], facts(), { prefixLast: false, wordnet: null, supportTerms: SUPPORT_TERMS });
    expect(concepts.map((c) => c.text)).toEqual(['turn off']);
  });

  it('corrects a rare WordNet word only when it is one edit from a close article word', () => {
    const similar = new Map([
      ['calender', [{ word: 'calendar', similarity: 0.5 }]],
      ['tier', [{ word: 'timer', similarity: 0.45 }]],
    ]);
    const [calender, tier] = expandQuery(['calender', 'tier'], facts({ similar }), { prefixLast: false, wordnet });
    expect(calender.alternatives.map((a) => a.text)).toEqual(['calender', 'calendar']);
    expect(tier.alternatives.map((a) => a.text)).toEqual(['tier']);
  });

  it('joins two words the articles write as one, and knows British and American spellings', () => {
    const [workspace, settings] = expandQuery(['work', 'space', 'settings'], facts({ present: new Set(['workspace']), known: new Set(['settings']) }), { prefixLast: false, wordnet: null });
    expect(workspace).toEqual({ text: 'work space', prefix: false, alternatives: [{ text: 'work space', weight: 1, kind: 'exact' }, { text: 'workspace', weight: FORM_WEIGHT, kind: 'form' }] });
    expect(settings.text).toBe('settings');
    // Not while the second word is still being typed.
    expect(expandQuery(['work', 'space'], facts({ present: new Set(['workspace']) }), { prefixLast: true, wordnet: null })).toHaveLength(2);
    expect(spellingVariants('cancelled')).toContain('canceled');
    expect(spellingVariants('organisation')).toContain('organization');
    expect(spellingVariants('colour')).toContain('color');
    expect(spellingVariants('center')).toContain('centre');
    expect(spellingVariants('for')).toEqual([]);
    expect(spellingCandidates(['work', 'space', 'colour'], true)).toEqual(expect.arrayContaining(['workspace', 'spacecolour', 'color']));
    expect(spellingCandidates(['colour'], false)).toEqual([]);
    const [colour] = expandQuery(['colour'], facts({ present: new Set(['color']) }), { prefixLast: false, wordnet });
    expect(colour.alternatives).toContainEqual({ text: 'color', weight: FORM_WEIGHT, kind: 'form' });
  });

  it('marks everyday words', () => {
    const [get, refund] = expandQuery(['got', 'refund'], facts(), { prefixLast: false, wordnet });
    expect(get.common).toBe(true);
    expect(refund.common).toBeUndefined();
  });
});

describe('damerauWithin', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(damerauWithin('recieve', 'receive', 1)).toBe(true);
    expect(damerauWithin('pasword', 'password', 1)).toBe(true);
    expect(damerauWithin('offline', 'online', 1)).toBe(false);
    expect(damerauWithin('notifcatons', 'notifications', 2)).toBe(true);
  });
});

describe('WordNet base forms', () => {
  it('undoes common inflections, and knows dictionary words by them', () => {
    expect(baseForms('passwords')).toContain('password');
    expect(baseForms('charged')).toContain('charge');
    expect(baseForms('class')).toEqual(['class']);
    expect(isDictionaryWord(wordnet, 'remembered')).toBe(true);
    expect(isDictionaryWord(wordnet, 'pasword')).toBe(false);
  });

  it('knows irregular verb forms, rare words, derived words and everyday words', () => {
    expect(baseForms('forgot')).toContain('forget');
    expect(otherForms('forgot').sort()).toEqual(['forget', 'forgotten']);
    expect(otherForms('constructor')).toEqual([]);
    expect(isRareWord(wordnet, 'tiers')).toBe(true);
    expect(isRareWord(wordnet, 'remember')).toBe(false);
    expect(derivedOf(wordnet, 'notified')).toEqual(['notification', 'notifiable']);
    expect(isCommonWord(wordnet, 'getting')).toBe(true);
    expect(baseForms('stopped')).toContain('stop');
    expect(isCommonWord(wordnet, 'remembered')).toBe(true);
    expect(inflections('notification')).toContain('notifications');
    expect(inflections('reply')).toContain('replies');
  });
});

describe('expansion rules', () => {
  it('are named, specified and applied in a fixed order', () => {
    expect(SPAN_RULES.map((r) => r.name)).toEqual(['group-phrase', 'joined-pair', 'other-product']);
    expect(WORD_RULES.map((r) => r.name)).toEqual(['group-members', 'spelling-variants', 'typo-corrections', 'member-typos', 'other-forms', 'derived-words', 'wordnet-synonyms']);
    for (const rule of [...SPAN_RULES, ...WORD_RULES]) expect(rule.spec.length).toBeGreaterThan(40);
  });
});
