/** The ZIP file format's record signatures, sizes and codes (APPNOTE.TXT), for the reader and the tests' writer. */

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_SIZE = 56;
export const CENTRAL_SIZE = 46;
export const LOCAL_SIZE = 30;
export const ZIP64_EXTRA_ID = 0x0001;
export const U16_MAX = 0xffff;
export const U32_MAX = 0xffffffff;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
export const FLAG_ENCRYPTED = 0x1;
export const FLAG_UTF8 = 0x800;
