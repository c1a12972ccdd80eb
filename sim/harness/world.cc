#include "sim/harness/world.h"
