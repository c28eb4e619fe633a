/**
 * Public key of the unpacked development build, so its extension id is stable across machines
 * (tests pre-grant permissions to it). Store builds are signed by the store and get their own id.
 * The private half is not kept anywhere: nothing signs with it.
 */
export const DEV_PUBLIC_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAuHYWfvDRQCLF0ygryjSDoeU3bh/Zl9WG1y4ZkxAGIExqzJR+hWsn/jcLtlltklqJLoO+Bj/t8wmwYB6siIhxXJc6ay0swZUPZzzrMysZjYKUk0jr7w4d5/xuYWzEYlfiJZqnwr94seM7DBDbw1tUyLeMmuSDud43G31K6qC/vsEl8Buy+UecZCHh606q2vihvIPkP6KMKE001zv5Tr+57FK8KYzKpML9o7hJm8a95K6tQPLUVN6nd97jPaNwe62Tl6BzqHP35vxr67LLAIrMTZ56rKvBfddpPCAS4kKFvSVG4re0iToIjb+wXOJv0v3DayytkKKMFLbpTq+F/YjNXQIDAQAB';
export const DEV_EXTENSION_ID = 'ajhkiadnojbmcphcihpelckmpfafcenb';
