// libpng (its simplified API, which reports errors without longjmp).
#include <png.h>
