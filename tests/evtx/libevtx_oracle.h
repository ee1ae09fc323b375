#pragma once
// The reference reading of an EVTX file: libyal libevtx (Debian libevtx-dev), used by the tests
// only. Each record's XML rendering is reduced to the same fields LoadLens's reader produces.
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace loadlens::testing {

struct OracleRecord {
    qint64 offset = -1;
    bool rendered = false;  // false: libevtx could not render this record
    QString error;
    quint64 headerId = 0;   // the record header's identifier (libevtx_record_get_identifier)
    quint64 recordId = 0;   // System/EventRecordID from the XML
    int eventId = 0;
    qint64 timeUs = 0;
    QString provider, channel, computer;
    QMap<QString, QString> data;
};

struct OracleFile {
    bool opened = false;
    QString error;
    QVector<OracleRecord> records;
};

OracleFile readWithLibevtx(const QString &path);

// "2020-10-17T16:26:54.679582900Z" to microseconds since the epoch (UTC); -1 when unparseable.
qint64 isoToUs(const QString &text);

} // namespace loadlens::testing
