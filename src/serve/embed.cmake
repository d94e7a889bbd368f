# embed.cmake: writes OUT, a C file defining sv_openapi_json (the bytes of IN,
# NUL-terminated) and sv_openapi_json_len. Run with cmake -P.
file(READ ${IN} _hex HEX)
string(LENGTH "${_hex}" _n)
math(EXPR _len "${_n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
file(WRITE ${OUT} "/* generated from openapi.json by embed.cmake */\n#include <stddef.h>\n"
  "const char sv_openapi_json[] = {${_bytes} 0};\nconst size_t sv_openapi_json_len = ${_len};\n")
