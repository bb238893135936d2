/** RSA-OAEP hash names (MGF1 uses the same hash), shared by the node:crypto and WebCrypto RSA stores. */
export type OaepHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
