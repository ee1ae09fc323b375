#include "evtx/binxml_expander.h"

#include <string>

namespace loadlens::evtx {

bool Expander::expandRecord(ChunkContext &ctx, std::size_t begin, std::size_t end, EventBuilder &builder,
                            ParseError &err)
{
    m_ctx = &ctx;
    m_builder = &builder;
    m_steps = 0;
    m_nextClockCheck = kStepsBetweenClockChecks;
    m_interrupted = false;
    m_recordBegin = begin;
    Fragment &body = m_scratch[0];
    body.clear();
    if (!compileFragment(ctx, begin, end, false, body, err))
        return false;
    if (!run(body, body.values.data(), body.values.size(), 0, err))
        return false;
    if (builder.overLimit()) {  // a field stored at an element's end can be the one too many
        err = {builder.limitProblem(), begin};
        return false;
    }
    return true;
}

bool Expander::addSteps(std::uint64_t steps, ParseError &err)
{
    m_steps += steps;
    if (m_steps > kMaxStepsPerRecord) {
        err = {"record expands to more than " + std::to_string(kMaxStepsPerRecord) + " items", m_recordBegin};
        return false;
    }
    if (m_steps >= m_nextClockCheck) {
        m_nextClockCheck = m_steps + kStepsBetweenClockChecks;
        if (m_limits.cancel && m_limits.cancel->cancelled()) {
            m_interrupted = true;
            err = {"the read was cancelled while this record was expanded", m_recordBegin};
            return false;
        }
        if (std::chrono::steady_clock::now() > m_limits.deadline) {
            m_interrupted = true;
            err = {"the time budget ran out while this record was expanded", m_recordBegin};
            return false;
        }
    }
    return true;
}

bool Expander::run(const Fragment &fragment, const ValueRef *values, std::size_t count, int depth, ParseError &err)
{
    if (!addSteps(fragment.ops.size(), err))
        return false;
    const std::uint8_t *chunk = m_ctx->data();
    for (const Op &op : fragment.ops) {
        switch (op.kind) {
        case OpKind::StartElement: m_builder->startElement(*op.name); break;
        case OpKind::Attribute: m_builder->attribute(*op.name); break;
        case OpKind::CloseStart: m_builder->closeStart(); break;
        case OpKind::EndElement: m_builder->endElement(); break;
        case OpKind::Text:
            m_builder->text(fragment.texts[op.arg]);
            if (m_builder->overLimit()) {
                err = {m_builder->limitProblem(), m_recordBegin};
                return false;
            }
            break;
        case OpKind::Substitution: {
            if (op.arg >= count)
                break;  // a template may name more values than an instance supplies: empty
            const ValueRef &v = values[op.arg];
            if (op.optional && (v.type == vt::Null || v.size == 0)) {
                m_builder->omitCurrent();
                break;
            }
            if (v.type != vt::BinXml) {
                m_builder->value(v, chunk);
                if (m_builder->overLimit()) {
                    err = {m_builder->limitProblem(), v.pos};
                    return false;
                }
                break;
            }
            if (depth + 1 > kMaxFragmentDepth) {
                err = {"BinXml values nested deeper than " + std::to_string(kMaxFragmentDepth), v.pos};
                return false;
            }
            Fragment &nested = m_scratch[depth + 1];
            nested.clear();
            // Compiling costs about as much as the value is long, however little it yields.
            if (!addSteps(v.size / 8 + 1, err) ||
                !compileFragment(*m_ctx, v.pos, std::size_t(v.pos) + v.size, false, nested, err))
                return false;
            if (!run(nested, nested.values.data(), nested.values.size(), depth + 1, err))
                return false;
            break;
        }
        case OpKind::Instance: {
            if (depth + 1 > kMaxFragmentDepth) {
                err = {"template instances nested deeper than " + std::to_string(kMaxFragmentDepth), 0};
                return false;
            }
            const InstanceRef &inst = fragment.instances[op.arg];
            if (!run(*inst.tmpl, fragment.values.data() + inst.firstValue, inst.valueCount, depth + 1, err))
                return false;
            break;
        }
        }
    }
    return true;
}

} // namespace loadlens::evtx
