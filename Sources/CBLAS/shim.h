#pragma once
/* Debian's libopenblas-dev installs cblas.h on the default include path (alternatives link to the
   pthread flavour); it also declares openblas_set_num_threads / openblas_get_corename. */
#include <cblas.h>
