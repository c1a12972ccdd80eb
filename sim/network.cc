#include "sim/network.h"
