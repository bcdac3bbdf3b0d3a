/**
 * Jest runs each spec in its own VM realm, whose Symbol lacks `dispose` and
 * `asyncDispose` (Node adds them only to its main realm). playwright-core's
 * handles use them (`await using`); defined here before playwright-core loads,
 * its classes and its disposal helper agree on the symbol. Import this first.
 */
const symbols = Symbol as unknown as { dispose?: symbol; asyncDispose?: symbol };
symbols.dispose ??= Symbol.for('nodejs.dispose');
symbols.asyncDispose ??= Symbol.for('nodejs.asyncDispose');
export {};
