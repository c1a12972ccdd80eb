#include "sim/disk.h"
