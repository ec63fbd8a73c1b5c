#ifndef CCURL_H
#define CCURL_H
// Typed wrappers for libcurl's variadic calls (Swift cannot call C variadics).
#include <curl/curl.h>
#endif
