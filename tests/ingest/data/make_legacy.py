# VAXSYNC_REFDATA=DIR make_legacy.py IN.csv OUT - writes OUT.tcvn3, OUT.vni and OUT.cp1258: the UTF-8 text of IN.csv
# in the old Vietnamese font encodings and Windows-1258 (see README.md).
import csv, os, unicodedata, sys
REF = os.environ['VAXSYNC_REFDATA']  # the reference directory (../shared/data)
tc={}; vn={}
for r in csv.DictReader(open(os.path.join(REF, 'legacy_tcvn3.csv'))):
    tc[r['unicode_char']]=bytes.fromhex(r['bytes_hex'])
for r in csv.DictReader(open(os.path.join(REF, 'legacy_vni.csv'))):
    vn[r['unicode_char']]=bytes.fromhex(r['bytes_hex'])
def enc_tcvn3(s):
    out=b''
    for ch in s:
        if ch in tc: out+=tc[ch]
        elif ch.lower() in tc: out+=tc[ch.lower()]
        else: out+=ch.encode('ascii')
    return out
def enc_vni(s):
    return b''.join(vn[ch] if ch in vn else ch.encode('ascii') for ch in s)
def enc_cp1258(s):
    out=b''
    for ch in s:
        try: out+=ch.encode('cp1258'); continue
        except UnicodeEncodeError: pass
        d=unicodedata.normalize('NFD',ch)
        tones=[c for c in d if c in '\u0300\u0301\u0303\u0309\u0323']
        base=unicodedata.normalize('NFC',''.join(c for c in d if c not in tones)); out+=base.encode('cp1258')+tones[0].encode('cp1258')
    return out
text=open(sys.argv[1],encoding='utf-8').read()
for name,f in [('tcvn3',enc_tcvn3),('vni',enc_vni),('cp1258',enc_cp1258)]:
    open(sys.argv[2]+'.'+name,'wb').write(f(text))
