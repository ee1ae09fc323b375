#include "libevtx_oracle.h"

#include <QDateTime>
#include <QTimeZone>
#include <QXmlStreamReader>

#include <libevtx.h>

#include <vector>

namespace loadlens::testing {

namespace {

QString takeError(libevtx_error_t *&error)
{
    char buf[2048] = {};
    if (error) {
        libevtx_error_sprint(error, buf, sizeof buf);
        libevtx_error_free(&error);
    }
    return QString::fromUtf8(buf).trimmed();
}

// Mirrors the reader's documented reduction of an <Event>: System fields, EventData/Data by
// Name ("Data#N" for unnamed ones, element name for other children), UserData leaves by name.
void reduceXml(const QString &xml, OracleRecord &out)
{
    QXmlStreamReader reader(xml);
    QStringList path;
    int unnamed = 0;
    QString dataName;
    QString text;
    bool hadChild = false;
    auto store = [&](const QString &key, const QString &value) {
        auto it = out.data.find(key);
        if (it == out.data.end())
            out.data.insert(key, value);
        else
            it.value() += QLatin1Char(',') + value;
    };
    while (!reader.atEnd()) {
        reader.readNext();
        if (reader.isStartElement()) {
            const QString name = reader.name().toString();
            path.append(name);
            text.clear();
            hadChild = false;
            const QXmlStreamAttributes attrs = reader.attributes();
            if (path.size() == 3 && path[1] == QLatin1String("System")) {
                if (name == QLatin1String("Provider"))
                    out.provider = attrs.value(QLatin1String("Name")).toString();
                else if (name == QLatin1String("TimeCreated"))
                    out.timeUs = isoToUs(attrs.value(QLatin1String("SystemTime")).toString());
            }
            if (path.size() == 3 && path[1] == QLatin1String("EventData"))
                dataName = attrs.hasAttribute(QLatin1String("Name")) ? attrs.value(QLatin1String("Name")).toString()
                                                                     : QString();
        } else if (reader.isCharacters()) {
            text += reader.text();
        } else if (reader.isEndElement()) {
            const QString name = path.isEmpty() ? QString() : path.last();
            if (path.size() == 3 && path[1] == QLatin1String("System")) {
                if (name == QLatin1String("EventID"))
                    out.eventId = text.toInt();
                else if (name == QLatin1String("EventRecordID"))
                    out.recordId = text.toULongLong();
                else if (name == QLatin1String("Channel"))
                    out.channel = text;
                else if (name == QLatin1String("Computer"))
                    out.computer = text;
            } else if (path.size() == 3 && path[1] == QLatin1String("EventData")) {
                if (!dataName.isNull())
                    store(dataName, text);
                else if (name == QLatin1String("Data"))
                    store(QStringLiteral("Data#%1").arg(++unnamed), text);
                else
                    store(name, text);
            } else if (path.size() >= 3 && path[1] == QLatin1String("UserData") && !hadChild) {
                store(name, text);
            }
            path.removeLast();
            hadChild = true;
            text.clear();
        }
    }
    if (reader.hasError()) {
        out.rendered = false;
        out.error = QStringLiteral("libevtx XML does not parse: ") + reader.errorString();
    }
}

} // namespace

qint64 isoToUs(const QString &text)
{
    if (text.size() < 19)
        return -1;
    QDateTime dt = QDateTime::fromString(text.left(19), QStringLiteral("yyyy-MM-ddTHH:mm:ss"));
    if (!dt.isValid())
        return -1;
    dt.setTimeZone(QTimeZone::utc());
    qint64 micro = 0;
    if (text.size() > 20 && text[19] == QLatin1Char('.')) {
        QString frac = text.mid(20);
        frac.chop(frac.endsWith(QLatin1Char('Z')) ? 1 : 0);
        frac = QString(frac + QStringLiteral("000000")).left(6);
        micro = frac.toLongLong();
    }
    return dt.toSecsSinceEpoch() * 1000000 + micro;
}

OracleFile readWithLibevtx(const QString &path)
{
    OracleFile out;
    libevtx_error_t *error = nullptr;
    libevtx_file_t *file = nullptr;
    if (libevtx_file_initialize(&file, &error) != 1) {
        out.error = takeError(error);
        return out;
    }
    const QByteArray native = path.toLocal8Bit();
    if (libevtx_file_open(file, native.constData(), libevtx_get_access_flags_read(), &error) != 1) {
        out.error = takeError(error);
        libevtx_file_free(&file, nullptr);
        return out;
    }
    out.opened = true;
    int count = 0;
    if (libevtx_file_get_number_of_records(file, &count, &error) != 1)
        out.error = takeError(error);
    for (int i = 0; i < count; ++i) {
        OracleRecord rec;
        libevtx_record_t *record = nullptr;
        if (libevtx_file_get_record_by_index(file, i, &record, &error) != 1) {
            rec.error = takeError(error);
            out.records.append(rec);
            continue;
        }
        off64_t offset = 0;
        if (libevtx_record_get_offset(record, &offset, &error) == 1)
            rec.offset = offset;
        else
            takeError(error);
        uint64_t headerId = 0;
        if (libevtx_record_get_identifier(record, &headerId, &error) == 1)
            rec.headerId = headerId;
        else
            takeError(error);
        size_t size = 0;
        if (libevtx_record_get_utf8_xml_string_size(record, &size, &error) == 1 && size > 0) {
            std::vector<uint8_t> xml(size);
            if (libevtx_record_get_utf8_xml_string(record, xml.data(), size, &error) == 1) {
                rec.rendered = true;
                reduceXml(QString::fromUtf8(reinterpret_cast<const char *>(xml.data())), rec);
            } else {
                rec.error = takeError(error);
            }
        } else {
            rec.error = takeError(error);
        }
        libevtx_record_free(&record, nullptr);
        out.records.append(rec);
    }
    libevtx_file_close(file, nullptr);
    libevtx_file_free(&file, nullptr);
    return out;
}

} // namespace loadlens::testing
