import { ENGLISH } from '../../lexicon';

/**
 * Well-known consumer services and companies a visitor may name when the
 * question is about *their* account there ("reset my gmail password",
 * "delete my facebook account"), not about the product this help center
 * documents. Curated and generic (email, social, streaming, shopping,
 * payments, banks, games); not drawn from any help center's articles.
 * Deliberately no devices, operating systems, file formats or payment
 * services ("iphone", "windows", "excel", "paypal"): visitors name those when
 * asking about this product too ("does the app work on my iphone", "import
 * from excel", "can I pay with paypal").
 *
 * When such a name is in the question and in none of the workspace's
 * articles, it gets no alternatives (never spelling-corrected: "gmail" is
 * not "email"; no WordNet senses: "chase" is not "pursue") and an
 * answer is judged unlikely to be about it (scoring.ts, OTHER_PRODUCT_FACTOR).
 * A workspace whose articles mention the name (an integration) is unaffected.
 * The list: lexicon/en/other-products.json.
 */
export const OTHER_PRODUCTS: ReadonlySet<string> = ENGLISH.otherProducts;
