#ifndef PRECIS_PK_OPS_H
#define PRECIS_PK_OPS_H
// Float operations of the forward pass (norms, rope, softmax, activations), owned by the engine's model code.
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
#endif
