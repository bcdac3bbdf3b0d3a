import { replyText } from './reply-text';

// Shaped like what each client sends as its text/plain part (line endings CRLF as on the wire).
const crlf = (s: string) => s.replace(/\n/g, '\r\n');

describe('replyText', () => {
  it('Gmail: the attribution wrapped over two lines and the quote are cut', () => {
    const body = crlf(`Thanks, that fixed it!

On Mon, Dec 7, 2026 at 10:02 AM Acme Support <
reply+abcdefghijklmnopqrstuvwxyz234567@mail.example.com> wrote:

> Hello Anna,
> try clearing the cache.
>
`);
    expect(replyText(body)).toBe('Thanks, that fixed it!');
  });

  it('Gmail: a one-line attribution and a "-- " signature', () => {
    const body = `Yes please, send the invoice again.\n\nBest,\nAnna\n-- \nAnna Smith | ACME Corp\n+1 555 0100\n\nOn Mon, Dec 7, 2026 at 10:02 AM Acme Support <reply+x@mail.example.com> wrote:\n> Should I resend it?`;
    expect(replyText(body)).toBe('Yes please, send the invoice again.\n\nBest,\nAnna');
  });

  it('Outlook (desktop): the rule of underscores and the header block', () => {
    const body = crlf(`It works now.

Regards
Anna

________________________________
From: Acme Support <reply+abc@mail.example.com>
Sent: Monday, December 7, 2026 10:02 AM
To: anna@example.org <anna@example.org>
Subject: New reply from Acme

Hello Anna,
`);
    expect(replyText(body)).toBe('It works now.\n\nRegards\nAnna');
  });

  it('Outlook (web): a header block without a rule', () => {
    const body = `Great, thank you.\n\nFrom: Acme Support <reply+abc@mail.example.com>\nDate: Monday, 7 December 2026 at 10:02\nTo: Anna <anna@example.org>\nSubject: New reply from Acme\n\nHello Anna`;
    expect(replyText(body)).toBe('Great, thank you.');
  });

  it('Outlook: -----Original Message-----', () => {
    expect(replyText('See you then\n\n-----Original Message-----\nFrom: Acme\nSent: today\n\nHello')).toBe('See you then');
  });

  it('Apple Mail (iPhone): the mobile signature and a quoted attribution', () => {
    const body = `Perfect 👍\n\nSent from my iPhone\n\n> On 7 Dec 2026, at 10:02, Acme Support <reply+abc@mail.example.com> wrote:\n> \n> Hello Anna,\n> Your order has shipped.`;
    expect(replyText(body)).toBe('Perfect 👍');
  });

  it('Apple Mail (macOS): an attribution line without the quote marker', () => {
    const body = `Could you call me tomorrow?\n\n> On 7 Dec 2026, at 10:02, Acme Support <reply+abc@mail.example.com> wrote:\n>\n> Hello`;
    expect(replyText(body)).toBe('Could you call me tomorrow?');
  });

  it('Thunderbird: "On <date> <name> wrote:" with a numeric date', () => {
    const body = `Here is the order number: 4711\n\nOn 12/7/26 10:02, Acme Support wrote:\n> Which order is it?\n`;
    expect(replyText(body)).toBe('Here is the order number: 4711');
  });

  it('French and German attributions', () => {
    expect(replyText('Merci !\n\nLe lun. 7 déc. 2026 à 10:02, Acme Support <reply+x@mail.example.com> a écrit :\n> Bonjour')).toBe('Merci !');
    expect(replyText('Danke!\n\nAm Mo., 7. Dez. 2026 um 10:02 Uhr schrieb Acme Support <reply+x@mail.example.com>:\n> Hallo')).toBe('Danke!');
  });

  it('keeps a reply written between quoted lines, without the quotes', () => {
    expect(replyText('> Which colour?\nBlue.\n> Which size?\nM.')).toBe('Blue.\nM.');
  });

  it('keeps text that merely mentions the words', () => {
    const body = 'On second thought I wrote down the wrong number.\nIt is 4712.';
    expect(replyText(body)).toBe(body);
  });

  it('is empty when only history or a signature remains', () => {
    expect(replyText('\n\nOn Mon, Dec 7, 2026 at 10:02 AM Acme wrote:\n> Hello')).toBe('');
    expect(replyText('Sent from my iPhone')).toBe('');
  });
});
