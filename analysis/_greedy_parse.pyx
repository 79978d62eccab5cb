# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: infer_types=True, profile=False
# distutils: language = c++
"""spaCy's greedy dependency parse loop, compiled here without profiling hooks.

spaCy's Python 3.11 wheels are built with Cython's ``profile`` directive, and the inline
helpers its parser calls inside ``with nogil`` (thinc's ``Vec.arg_max``, ``VecVec.add_i``) then
take and drop the GIL on every call, and so do the arc-eager moves and the parse state's
methods: about 80 round trips per parser state per step, a quarter of the whole pipeline's time
(measured with perf, bench/bench_verbs.py). This module is the same loop
(``Parser.greedy_parse``, ``_parseC``, ``c_transition_batch``, ``parser_model.predict_states``,
and ``ArcEager.set_valid`` with the five arc-eager moves; spaCy v3.8, MIT licence) on the same
model, the same BLAS calls and spaCy's parse state (``StateC``, compiled in here from its .pxd).
tests/analysis/test_verbs_pipeline.py checks that every token attribute equals the stock
pipeline's.

The structs it shares with spaCy are laid out by the spaCy it was compiled against:
:data:`BUILT_AGAINST` names those versions and ``analysis.verbs_pipeline`` uses this module
only when they are the installed ones.
"""

from libc.stdlib cimport calloc, free, realloc
from libc.string cimport memcpy, memset
from libcpp.vector cimport vector
from spacy.ml.parser_model cimport (
    ActivationsC,
    SizesC,
    WeightsC,
    get_c_sizes,
    get_c_weights,
)
from spacy.pipeline._parser_internals._state cimport StateC
from spacy.pipeline._parser_internals.stateclass cimport StateClass
from spacy.pipeline._parser_internals.transition_system cimport (
    Transition,
    TransitionSystem,
)
from spacy.typedefs cimport attr_t, weight_t
from thinc.backends.cblas cimport CBlas, sgemm
from thinc.backends.linalg cimport Vec, VecVec

from thinc.api import CupyOps, NumpyOps

cdef extern from *:
    """
    #ifndef WORKBENCH_BUILT_AGAINST
    #define WORKBENCH_BUILT_AGAINST ""
    #endif
    """
    const char* WORKBENCH_BUILT_AGAINST

#: "spacy==X;thinc==Y" of the build (setup.py), compared with the installed versions.
BUILT_AGAINST = WORKBENCH_BUILT_AGAINST.decode("ascii")

# Kinds of arc-eager moves; OTHER runs the move's own validity check in spaCy.
cdef enum:
    SHIFT
    REDUCE
    LEFT
    RIGHT
    BREAK
    OTHER

_KINDS = {"S": SHIFT, "D": REDUCE, "L": LEFT, "R": RIGHT, "B": BREAK}


def move_kinds(parser) -> bytes:
    """Each move's kind, read from its name ("S", "D", "L-nsubj", "R-dobj", "B-ROOT").

    Moves labelled "subtok" (their validity depends on the label) and moves of any other
    transition system are OTHER.
    """
    moves = parser.moves
    if type(moves).__name__ != "ArcEager":
        return bytes([OTHER] * moves.n_moves)
    kinds = bytearray()
    for i in range(moves.n_moves):
        name, _, label = moves.get_class_name(i).partition("-")
        kinds.append(OTHER if label == "subtok" else _KINDS.get(name, OTHER))
    return bytes(kinds)


def greedy_parse(parser, docs, bytes kinds):
    """``parser.greedy_parse(docs)``: the parse states of these docs, as spaCy computes them.

    ``kinds`` is :func:`move_kinds` of this parser.
    """
    cdef vector[StateC*] states, theirs, ours
    cdef StateClass state
    cdef StateC* copy
    cdef TransitionSystem moves = parser.moves
    if len(kinds) != moves.n_moves:
        raise ValueError("kinds must come from move_kinds(parser)")
    cdef const unsigned char* move_kind = kinds
    ops = parser.model.ops
    cdef CBlas cblas = NumpyOps().cblas() if isinstance(ops, CupyOps) else ops.cblas()
    if moves.n_moves <= 0:
        raise ValueError(f"the parser {parser.name!r} has no moves")
    parser._ensure_labels_are_added(docs)
    batch = moves.init_batch(docs)
    model = parser.model.predict(docs)
    cdef WeightsC weights = get_c_weights(model)
    # StateC's methods are virtual: states spaCy built would run spaCy's profiled copies of
    # them. The loop works on copies built here, copied back once parsed.
    for state in batch:
        if not state.is_final():
            copy = new StateC(state.c._sent, state.c.length)
            copy.clone(state.c)
            theirs.push_back(state.c)
            ours.push_back(copy)
            states.push_back(copy)
    cdef SizesC sizes = get_c_sizes(model, states.size())
    try:
        if states.size():
            with nogil:
                _parse(cblas, moves, move_kind, &states[0], weights, sizes)
                for i in range(ours.size()):
                    theirs[i].clone(ours[i])
    finally:
        for i in range(ours.size()):
            del ours[i]
    model.clear_memory()
    return batch


cdef void _parse(
    CBlas cblas,
    TransitionSystem moves,
    const unsigned char* kinds,
    StateC** states,
    WeightsC weights,
    SizesC sizes,
) noexcept nogil:
    """``Parser._parseC``: score every unfinished state, take its best valid move, repeat."""
    cdef int i
    cdef vector[StateC*] unfinished
    cdef ActivationsC activations
    memset(&activations, 0, sizeof(activations))
    _resize_activations(&activations, sizes)
    cdef int* is_valid = <int*>calloc(moves.n_moves, sizeof(int))
    while sizes.states >= 1:
        _predict_states(cblas, &activations, states, &weights, sizes)
        _transition_batch(moves, kinds, is_valid, states, activations.scores, sizes)
        for i in range(sizes.states):
            if not states[i].is_final():
                unfinished.push_back(states[i])
        for i in range(unfinished.size()):
            states[i] = unfinished[i]
        sizes.states = unfinished.size()
        unfinished.clear()
    free(is_valid)
    _free_activations(&activations)


cdef void _transition_batch(
    TransitionSystem moves,
    const unsigned char* kinds,
    int* is_valid,
    StateC** states,
    const float* scores,
    SizesC n,
) noexcept nogil:
    """``Parser.c_transition_batch``."""
    cdef int i, guess
    cdef Transition action
    for i in range(n.states):
        _set_valid(moves, kinds, is_valid, states[i])
        guess = _arg_max_if_valid(&scores[i * n.classes], is_valid, n.classes)
        if guess == -1:
            states[i].force_final()
        elif kinds[guess] == OTHER:
            action = moves.c[guess]
            action.do(states[i], action.label)
        else:
            _do(kinds[guess], states[i], moves.c[guess].label)


cdef inline void _do(unsigned char kind, StateC* st, attr_t label) noexcept nogil:
    """The arc-eager moves' ``transition`` functions."""
    if kind == SHIFT:
        st.push()
    elif kind == REDUCE:
        if st.has_head(st.S(0)) or st.stack_depth() == 1:
            st.pop()
        else:
            st.unshift()
    elif kind == LEFT:
        st.add_arc(st.B(0), st.S(0), label)
        # Changing the stack may clear the shifted mark: no infinite loop this way.
        st.set_reshiftable(st.B(0))
        st.pop()
    elif kind == RIGHT:
        st.add_arc(st.S(0), st.B(0), label)
        st.push()
    elif kind == BREAK:
        st.set_sent_start(st.B(1), 1)


cdef void _set_valid(
    TransitionSystem moves, const unsigned char* kinds, int* output, const StateC* st
) noexcept nogil:
    """``ArcEager.set_valid``: each kind's validity once, then one flag per move."""
    cdef int[5] valid
    valid[SHIFT] = _shift_is_valid(st)
    valid[REDUCE] = _reduce_is_valid(st)
    valid[LEFT] = _arc_is_valid(st)
    valid[RIGHT] = _arc_is_valid(st)
    valid[BREAK] = _break_is_valid(st)
    for i in range(moves.n_moves):
        if kinds[i] == OTHER:
            output[i] = moves.c[i].is_valid(st, moves.c[i].label)
        else:
            output[i] = valid[kinds[i]]


cdef inline bint _shift_is_valid(const StateC* st) noexcept nogil:
    if st.stack_depth() == 0:
        return 1
    elif st.buffer_length() < 2:
        return 0
    elif st.is_sent_start(st.B(0)):
        return 0
    elif st.is_unshiftable(st.B(0)):
        return 0
    return 1


cdef inline bint _reduce_is_valid(const StateC* st) noexcept nogil:
    if st.stack_depth() == 0:
        return 0
    elif st.buffer_length() == 0:
        return 1
    elif st.stack_depth() == 1 and st.cannot_sent_start(st.l_edge(st.B(0))):
        return 0
    return 1


cdef inline bint _arc_is_valid(const StateC* st) noexcept nogil:
    """LeftArc's and RightArc's check, for every label but "subtok"."""
    if st.stack_depth() == 0:
        return 0
    elif st.buffer_length() == 0:
        return 0
    elif st.is_sent_start(st.B(0)):
        return 0
    return 1


cdef inline bint _break_is_valid(const StateC* st) noexcept nogil:
    if st.buffer_length() < 2:
        return 0
    elif st.B(1) != st.B(0) + 1:
        return 0
    elif st.is_sent_start(st.B(1)):
        return 0
    elif st.cannot_sent_start(st.B(1)):
        return 0
    return 1


cdef int _arg_max_if_valid(const weight_t* scores, const int* is_valid, int n) noexcept nogil:
    cdef int best = -1
    for i in range(n):
        if is_valid[i] >= 1:
            if best == -1 or scores[i] > scores[best]:
                best = i
    return best


cdef void _predict_states(
    CBlas cblas, ActivationsC* A, StateC** states, const WeightsC* W, SizesC n
) noexcept nogil:
    """``parser_model.predict_states``: maxout hidden layer, then the scores of every move."""
    _resize_activations(A, n)
    for i in range(n.states):
        states[i].set_context_tokens(&A.token_ids[i * n.feats], n.feats)
    memset(A.unmaxed, 0, n.states * n.hiddens * n.pieces * sizeof(float))
    memset(A.hiddens, 0, n.states * n.hiddens * sizeof(float))
    _sum_state_features(
        A.unmaxed, W.feat_weights, A.token_ids, n.states, n.feats, n.hiddens * n.pieces
    )
    for i in range(n.states):
        VecVec.add_i(&A.unmaxed[i * n.hiddens * n.pieces], W.feat_bias, 1., n.hiddens * n.pieces)
        for j in range(n.hiddens):
            index = i * n.hiddens * n.pieces + j * n.pieces
            which = Vec.arg_max(&A.unmaxed[index], n.pieces)
            A.hiddens[i * n.hiddens + j] = A.unmaxed[index + which]
    memset(A.scores, 0, n.states * n.classes * sizeof(float))
    if W.hidden_weights == NULL:
        memcpy(A.scores, A.hiddens, n.states * n.classes * sizeof(float))
    else:
        sgemm(cblas)(
            False, True, n.states, n.classes, n.hiddens,
            1.0, <const float *>A.hiddens, n.hiddens,
            <const float *>W.hidden_weights, n.hiddens,
            0.0, A.scores, n.classes
        )
        for i in range(n.states):
            VecVec.add_i(&A.scores[i * n.classes], W.hidden_bias, 1., n.classes)
    # Unseen classes score the minimum.
    min_ = A.scores[0]
    for i in range(1, n.states * n.classes):
        if A.scores[i] < min_:
            min_ = A.scores[i]
    for i in range(n.states):
        for j in range(n.classes):
            if not W.seen_classes[j]:
                A.scores[i * n.classes + j] = min_


cdef void _sum_state_features(
    float* output, const float* cached, const int* token_ids, int B, int F, int O
) noexcept nogil:
    """``parser_model.sum_state_features``: add each state's precomputed feature rows.

    spaCy adds them with BLIS's saxpy at alpha 1: whichever kernel BLIS picks, ``1 * x`` is
    exact, so each element is ``y[i] + x[i]`` rounded once, as here.
    """
    cdef int idx, b, f, i
    cdef const float* feature
    padding = cached
    cached += F * O
    cdef int id_stride = F * O
    for b in range(B):
        for f in range(F):
            if token_ids[f] < 0:
                feature = &padding[f * O]
            else:
                idx = token_ids[f] * id_stride + f * O
                feature = &cached[idx]
            for i in range(O):
                output[b * O + i] += feature[i]
        token_ids += F


cdef void _resize_activations(ActivationsC* A, SizesC n) noexcept nogil:
    if n.states <= A._max_size:
        A._curr_size = n.states
        return
    if A._max_size == 0:
        A.token_ids = <int*>calloc(n.states * n.feats, sizeof(A.token_ids[0]))
        A.scores = <float*>calloc(n.states * n.classes, sizeof(A.scores[0]))
        A.unmaxed = <float*>calloc(n.states * n.hiddens * n.pieces, sizeof(A.unmaxed[0]))
        A.hiddens = <float*>calloc(n.states * n.hiddens, sizeof(A.hiddens[0]))
        A.is_valid = <int*>calloc(n.states * n.classes, sizeof(A.is_valid[0]))
    else:
        A.token_ids = <int*>realloc(A.token_ids, n.states * n.feats * sizeof(A.token_ids[0]))
        A.scores = <float*>realloc(A.scores, n.states * n.classes * sizeof(A.scores[0]))
        A.unmaxed = <float*>realloc(
            A.unmaxed, n.states * n.hiddens * n.pieces * sizeof(A.unmaxed[0])
        )
        A.hiddens = <float*>realloc(A.hiddens, n.states * n.hiddens * sizeof(A.hiddens[0]))
        A.is_valid = <int*>realloc(A.is_valid, n.states * n.classes * sizeof(A.is_valid[0]))
    A._max_size = n.states
    A._curr_size = n.states


cdef void _free_activations(const ActivationsC* A) noexcept nogil:
    free(A.token_ids)
    free(A.scores)
    free(A.unmaxed)
    free(A.hiddens)
    free(A.is_valid)
