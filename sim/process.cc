#include "sim/process.h"
