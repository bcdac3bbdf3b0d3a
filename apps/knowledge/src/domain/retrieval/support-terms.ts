/**
 * A small, curated list of equivalences common in software help centers,
 * applied like operator synonym groups (both directions, words or phrases)
 * but weighted below them: ways visitors name what help articles call
 * otherwise ("log in" / "sign in", "2fa" / "two factor", "coworker" /
 * "teammate"). English only. Deliberately short and generic: not the words
 * of any help center's articles nor of any evaluation question; a workspace
 * adds its own with operator synonyms. docs/knowledge.md, "Retrieval".
 */
export const SUPPORT_TERMS: readonly (readonly string[])[] = [
  ['log in', 'login', 'sign in', 'signin', 'log on', 'logon'],
  ['log out', 'logout', 'sign out', 'signout'],
  ['sign up', 'signup', 'register', 'registration'],
  ['2fa', 'two factor', 'mfa', 'multi factor', 'two step', '2 step'],
  ['email', 'e mail'],
  ['password', 'passcode', 'pwd'],
  ['coworker', 'co worker', 'colleague', 'teammate', 'team member'],
  ['admin', 'administrator'],
  ['user', 'member'],
  ['wifi', 'wi fi', 'internet', 'connection', 'network'],
  ['app', 'application'],
  ['phone', 'mobile', 'smartphone', 'cellphone'],
  ['invoice', 'bill', 'receipt'],
  ['refund', 'reimbursement', 'money back'],
  ['plan', 'tier', 'pricing'],
  ['subscription', 'membership'],
  ['cancel', 'unsubscribe', 'stop paying', 'stop billing'],
  ['delete', 'remove', 'erase', 'get rid of'],
  ['enable', 'turn on', 'switch on', 'activate'],
  ['disable', 'turn off', 'switch off', 'deactivate'],
  ['spreadsheet', 'excel', 'csv'],
  ['storage', 'space', 'quota'],
  ['server', 'data center', 'datacenter', 'hosting'],
  ['notification', 'alert'],
  ['backup', 'back up'],
  ['forgot', 'lost'],
  ['change', 'switch'],
  ['downgrade', 'cheaper'],
  ['customer', 'client', 'contact'],
  ['size', 'how big', 'how large'],
  ['limit', 'max', 'maximum'],
];
