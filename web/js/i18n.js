// i18n.js - every label and message in Vietnamese (first) and English; dates
// as dd/mm/yyyy in Vietnamese. The choice of language is the only thing kept
// in localStorage (no personal data is).

const S = {
  vi: {
    app: 'vaxsync — đối soát tiêm chủng COVID-19',
    switchLang: 'English', switchLangLabel: 'Switch to English',
    logout: 'Đăng xuất', loginTitle: 'Đăng nhập', name: 'Tên đăng nhập', password: 'Mật khẩu',
    login: 'Đăng nhập', loggingIn: 'Đang đăng nhập…', loggedOut: 'Đã đăng xuất.',
    sessionLost: 'Phiên làm việc đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.',
    roles: { clerk: 'Cán bộ cơ sở tiêm chủng', commune: 'Tổ công tác xã', district: 'Quản lý huyện',
      province: 'Quản lý tỉnh', ministry: 'Bộ Y tế', admin: 'Quản trị' },
    navReview: 'Hàng chờ rà soát', navLookup: 'Tra cứu công dân', navSubmit: 'Gửi bản ghi',
    navFacility: 'Danh sách cần xử lý', navDashboard: 'Bảng điều khiển', navAdmin: 'Quản trị',
    commune: 'Xã/phường', communeCode: 'Mã xã (5 chữ số)', load: 'Tải', category: 'Loại',
    all: 'Tất cả', refresh: 'Làm mới', prevPage: 'Trang trước', nextPage: 'Trang sau',
    pageInfo: 'Trang {page} · {n} mục', empty: 'Không còn mục nào trong trang này.',
    loading: 'Đang tải…', queueLabel: 'Các mục cần rà soát',
    cats: { review: 'Cần xác nhận', unlinked: 'Chưa liên kết', conflict: 'Xung đột', correction: 'Cần sửa',
      rejected: 'Bị loại', withdrawn: 'Đã rút' },
    record: 'Bản ghi', recordAsSent: 'Bản ghi cơ sở tiêm gửi', candidate: 'Ứng viên',
    candidateCitizen: 'Công dân ứng viên', field: 'Trường', level: 'Mức khớp', weight: 'Trọng số',
    running: 'Cộng dồn', compare: 'So sánh trường với ứng viên', total: 'Tổng điểm',
    second: 'Ứng viên thứ hai', noCandidate: 'Không có ứng viên nào.', reasons: 'Lý do',
    suggestion: 'Gợi ý xử lý', evidence: 'Chi tiết đối chiếu',
    fullExplanation: 'Giải thích đầy đủ (văn bản gốc)', decision: 'Quyết định', thresholds: 'Ngưỡng',
    agreement: { agree: 'khớp', partial: 'khớp một phần', disagree: 'không khớp', none: 'thiếu dữ liệu' },
    fields: { prior: 'Tiên nghiệm', family: 'Họ', middle: 'Tên đệm', given: 'Tên', dob: 'Ngày sinh',
      sex: 'Giới tính', id: 'Số CMND/CCCD', phone: 'Số điện thoại', geo: 'Địa bàn (tỉnh/huyện/xã)',
      total: 'Tổng', record_id: 'Mã bản ghi', facility_code: 'Mã cơ sở', full_name: 'Họ và tên',
      id_number: 'Số CMND/CCCD', address: 'Địa chỉ', vaccine: 'Tên vắc xin', lot: 'Số lô',
      dose: 'Mũi tiêm', shot_date: 'Ngày tiêm' },
    levels: { exact: 'trùng khớp', equal: 'trùng', null: 'thiếu', else: 'khác', 'one-part-off': 'lệch một phần',
      commune: 'cùng xã', district: 'cùng huyện', province: 'cùng tỉnh', transposed: 'đảo vị trí',
      'day-month-swap': 'đảo ngày/tháng', 'near-miss': 'gần đúng' },
    actConfirm: 'Xác nhận', actChoose: 'Chọn người khác', actReject: 'Từ chối', actNotRegistered: 'Không có trong CSDL dân cư',
    actCorrect: 'Sửa bản ghi', actWithdraw: 'Rút bản ghi', actWithdrawSure: 'Chắc chắn rút bản ghi này',
    citizenId: 'Số định danh (CCCD, 12 chữ số)', note: 'Ghi chú', send: 'Gửi', cancel: 'Huỷ',
    correctTitle: 'Sửa các trường (chỉ gửi trường đã thay đổi)', nothingChanged: 'Chưa thay đổi trường nào.',
    keys: 'Phím tắt: C xác nhận · O chọn người khác · R từ chối · N không có trong CSDL · E sửa · J/K mục sau/trước',
    done: { confirm: 'Đã xác nhận', choose: 'Đã chọn công dân', reject: 'Đã từ chối ứng viên',
      'not-registered': 'Đã ghi không có trong CSDL dân cư', correct: 'Đã sửa và gửi lại', withdraw: 'Đã rút bản ghi' },
    outcome: 'Kết quả', statusLabel: 'Trạng thái', put: { new: 'bản ghi mới', same: 'không thay đổi', corrected: 'bản sửa' },
    linkDecision: { auto: 'tự động liên kết', review: 'chờ xã xác nhận', confirmed: 'đã xác nhận', unlinked: 'chưa liên kết' },
    status: { posted: 'đã ghi nhận vào CSDL', review: 'đang rà soát', correction: 'cần sửa', not_posted: 'chưa ghi nhận' },
    submitTitle: 'Gửi một bản ghi tiêm', submit: 'Gửi bản ghi', submitted: 'Đã gửi bản ghi',
    newRecord: 'Bản ghi mới', sexM: 'Nam', sexF: 'Nữ', sexUnknown: '(không rõ)',
    dateHint: 'dd/mm/yyyy', facilityTitle: 'Các bản ghi của cơ sở cần xử lý',
    lookupTitle: 'Tra cứu công dân trong địa bàn', lookup: 'Tra cứu', history: 'Lịch sử tiêm',
    searchTitle: 'Tìm theo họ tên và ngày sinh', search: 'Tìm', searchMatch: 'Mức khớp',
    searchDobHint: 'dd/mm/yyyy, hoặc chỉ năm sinh', searchNone: 'Không có ai khớp trong địa bàn của bạn.',
    searchFound: 'Những người khớp nhất trong địa bàn ({n})',
    dash: {
      coverage: 'Độ bao phủ tiêm chủng đến ngày {date}', totals: 'Dân số:', people: 'người',
      dose1: 'Đã tiêm ≥1 mũi', dose2: 'Đã tiêm ≥2 mũi', dose3: 'Đã tiêm ≥3 mũi',
      dose1Short: 'Mũi 1', dose2Short: 'Mũi 2', dose3Short: 'Mũi 3', other: 'Mũi khác', total: 'Tổng',
      ageGroup: 'Nhóm tuổi', ageUnknown: 'Không rõ ngày sinh', population: 'Dân số', area: 'Địa bàn',
      coverageByAge: 'Tỷ lệ bao phủ theo nhóm tuổi', coverageByArea: 'Tỷ lệ bao phủ theo địa bàn',
      csvAge: 'Tải CSV theo nhóm tuổi', csvArea: 'Tải CSV theo địa bàn',
      doses: 'Số mũi tiêm đã ghi nhận từ {from} đến {to}', dosesTotal: 'Tổng số mũi:', dosesPerWeek: 'Số mũi theo tuần',
      postings: 'Mũi đã ghi nhận', weekFrom: 'Tuần từ ngày', csvDays: 'Tải CSV theo ngày',
      quality: 'Chất lượng dữ liệu: {n} cơ sở kém nhất (trong {total})', worstFacilities: 'Cơ sở có dữ liệu kém nhất',
      problemShare: 'Tỷ lệ chờ rà soát/chưa liên kết', reasonShare: 'Tỷ lệ bản ghi có lỗi', facility: 'Cơ sở',
      records: 'Bản ghi', review: 'Chờ rà soát', unlinked: 'Chưa liên kết', topReason: 'Lỗi hay gặp nhất',
      csvQuality: 'Tải CSV theo cơ sở', csvReasons: 'Tải CSV theo lý do',
      backlog: 'Tồn đọng rà soát', openItems: 'Mục đang chờ xử lý:', decided: 'Quyết định từ {from} đến {to}:',
      backlogByCommune: 'Mục chờ xử lý theo xã', commune: 'Xã/phường', communeItems: 'Mục của xã', facilityItems: 'Mục của cơ sở',
      csvBacklog: 'Tải CSV tồn đọng theo xã', csvItems: 'Tải CSV theo loại', decisionsPerDay: 'Số quyết định theo ngày',
      decisions: 'Quyết định', day: 'Ngày', csvDecisions: 'Tải CSV quyết định theo ngày', csvDecisionsCommune: 'Tải CSV quyết định theo xã',
      asOf: 'Tính đến ngày', areaOf: 'Địa bàn', country: 'Toàn quốc',
      from: 'Từ ngày', to: 'Đến ngày', allMine: 'Toàn bộ địa bàn của tôi', myCommunes: 'Các xã của tôi', allOf: 'Toàn bộ {area}',
      levels: { province: 'Tỉnh/thành phố', district: 'Quận/huyện', commune: 'Xã/phường', province2025: 'Tỉnh/thành phố (từ 2025)' },
      units: 'Đơn vị hành chính', units2022: 'Trước sáp nhập (63 tỉnh, 2022)', units2025: 'Sau sáp nhập (34 tỉnh, 2025)',
      coverageByCommune2025: 'Tỷ lệ bao phủ theo xã/phường (từ 2025)', commune2025: 'Xã/phường (từ 2025)',
      csvCommune2025: 'Tải CSV theo xã/phường (từ 2025)', unplaced2025: 'Chưa xếp được vào xã/phường 2025',
      approxTip: 'Số gần đúng: {n} xã/phường cũ (2022) bị chia cho nhiều xã/phường mới; mỗi xã cũ được tính trọn vào một xã mới',
      approxNote: '≈ số gần đúng ({n} xã/phường): có xã/phường cũ (2022) bị chia cho nhiều xã/phường mới; không biết từng người thuộc phần nào, nên cả xã cũ được tính vào một xã mới (xã mang mã của xã cũ, nếu không thì xã đầu tiên trong danh mục). Tổng của tỉnh vẫn đúng.',
    },
    dashboardNote: 'Bảng điều khiển cho quản lý chưa có: API chưa cung cấp số liệu tổng hợp (độ bao phủ, chất lượng dữ liệu, tồn đọng).',
    adminNote: 'Quản lý người dùng và mã truy cập hiện làm trên máy chủ bằng lệnh `vaxsync user`; nhật ký truy cập bằng `vaxsync audit`.',
    navUpload: 'Tải tệp lên', uploadTitle: 'Tải tệp danh sách tiêm (CSV hoặc Excel .xlsx)', uploadFile: 'Tệp',
    uploadHint: 'Tệp CSV (UTF-8, có dòng tiêu đề) hoặc Excel .xlsx theo mẫu của cơ sở; gửi lại cùng tệp không thay đổi gì.',
    uploadSend: 'Tải lên', uploadPick: 'Chọn một tệp trước.', uploadSending: 'Đang gửi tệp', uploadProcessing: 'Đang xử lý',
    uploadEnded: 'Đã xử lý xong', uploadJob: 'Lần tải', uploadHistory: 'Các lần tải lên của bạn', uploadNone: 'Chưa có lần tải lên nào.',
    uploadSize: 'Kích thước (byte)', uploadRows: 'Kết quả từng dòng ({n} dòng)', uploadRowsCapped: 'Chỉ hiện {n} dòng đầu của tệp.',
    uploadLine: 'Dòng', uploadResult: 'Kết quả', showMore: 'Xem thêm', receipt: 'Biên nhận',
    uploadResults: { stored: 'đã lưu', rejected: 'bị loại' },
    jobStates: { queued: 'đang chờ', running: 'đang chạy', done: 'hoàn tất', failed: 'thất bại' },
    jobDecision: { linked: 'đã liên kết', review: 'chờ xã xác nhận', unlinked: 'chưa liên kết' },
    receiptKeys: { rows: 'Số dòng', rejected: 'Dòng bị loại', other_facility: 'Dòng của cơ sở khác', new: 'Mới', same: 'Không thay đổi',
      corrected: 'Bản sửa', linked: 'Đã liên kết', review: 'Chờ xác nhận', unlinked: 'Chưa liên kết', posted: 'Đã ghi nhận', withdrawn: 'Đã rút' },
    filters: 'Bộ lọc', reasonCode: 'Mã lý do', shotFrom: 'Ngày tiêm từ', shotTo: 'Ngày tiêm đến', applyFilters: 'Lọc',
    adminTitle: 'Quản trị người dùng và nhật ký truy cập', usersTitle: 'Người dùng', userRole: 'Vai trò', userArea: 'Địa bàn',
    userAreaHint: 'Cán bộ cơ sở: mã cơ sở · Xã: mã xã 5 chữ số (nhiều xã cách nhau bằng dấu phẩy) · Huyện: 3 chữ số · Tỉnh: 2 chữ số · Bộ và Quản trị: để trống',
    tokens: 'Mã truy cập API', actionsLabel: 'Thao tác', userActive: 'đang hoạt động', userDisabled: 'đã khoá', userLocked: 'tạm khoá do sai mật khẩu',
    userLookup: 'được tra cứu', userLookupRight: 'Quyền tra cứu dữ liệu cá nhân (quản lý)', userCreate: 'Tạo người dùng',
    userCreated: 'Đã tạo người dùng', userDisable: 'Khoá', userEnable: 'Mở khoá', userDisabledDone: 'Đã khoá', userEnabled: 'Đã mở khoá',
    userUnlock: 'Gỡ tạm khoá', userUnlocked: 'Đã gỡ tạm khoá', passwordReset: 'Đặt lại mật khẩu', newPassword: 'Mật khẩu mới',
    passwordHint: 'Từ 8 ký tự.', tokenLabel: 'Ghi chú mã (dùng cho hệ thống nào)', tokenIssue: 'Cấp mã API', tokenRevoke: 'Thu hồi',
    tokenRevoked: 'Đã thu hồi mã', tokenNew: 'Mã API mới', tokenOnce: 'Mã này chỉ hiện một lần: sao chép ngay và chuyển an toàn cho hệ thống của cơ sở.',
    tokenHide: 'Đã sao chép, ẩn mã', auditTitle: 'Nhật ký truy cập',
    roleChange: 'Đổi vai trò/địa bàn', roleChanged: 'Đã đổi vai trò/địa bàn', confirmYes: 'Xác nhận',
    roleConfirm: 'Đổi {name} thành {role}, địa bàn {area}? Mọi phiên đăng nhập và mã API của người dùng này sẽ bị thu hồi.',
    auditNote: 'Nhật ký chỉ ghi mã (số định danh, mã cơ sở và mã bản ghi, tên người dùng), không có dữ liệu cá nhân khác. Việc xem nhật ký cũng được ghi lại.',
    auditApply: 'Lọc nhật ký', auditInfo: 'Từ dòng {from} · {n} dòng', auditEmpty: 'Không có dòng nào khớp bộ lọc.',
    auditFilters: { actor: 'Người thực hiện', citizen: 'Số định danh (12 chữ số)', facility: 'Mã cơ sở', record: 'Mã bản ghi',
      action: 'Thao tác (tiền tố, vd. read:)', from: 'Từ ngày', to: 'Đến ngày' },
    auditCols: { at: 'Thời điểm (UTC)', actor: 'Người thực hiện', role: 'Vai trò', action: 'Thao tác', subject: 'Đối tượng',
      result: 'Kết quả', endpoint: 'Đường dẫn', detail: 'Chi tiết' },
    errors: {
      USER_EXISTS: 'Tên người dùng đã có.', USER_FIELDS: 'Tên (chữ, số, . _ - @) và vai trò là bắt buộc.',
      USER_AREA_INVALID: 'Địa bàn không hợp với vai trò.', USER_PASSWORD_INVALID: 'Mật khẩu từ 8 đến 1024 ký tự.',
      USER_SELF_CHANGE: 'Không thể tự khoá hoặc hạ vai trò của chính mình.', BODY_NOT_CSV: 'Chỉ nhận tệp CSV hoặc Excel .xlsx.',
      UPLOAD_TOO_LARGE: 'Tệp quá lớn.', SPOOL_UNAVAILABLE: 'Máy chủ chưa nhận tệp được; thử lại.',
      LOGIN_FAILED: 'Sai tên đăng nhập hoặc mật khẩu.', LOGIN_LOCKED: 'Tài khoản tạm bị khoá sau nhiều lần sai. Thử lại sau.',
      LOGIN_FIELDS: 'Nhập tên đăng nhập và mật khẩu.', NOT_APPLICABLE: 'Quyết định này không áp dụng cho bản ghi ở trạng thái hiện tại.',
      ROLE_DENIED: 'Vai trò hoặc địa bàn của bạn không được làm việc này.', NOT_FOUND: 'Không tìm thấy trong địa bàn của bạn.',
      CSRF_MISSING: 'Phiên làm việc không hợp lệ; đăng nhập lại.', CSRF_INVALID: 'Phiên làm việc không hợp lệ; đăng nhập lại.',
      AUTH_REQUIRED: 'Cần đăng nhập.', AUTH_SESSION_INVALID: 'Phiên làm việc đã hết hạn; đăng nhập lại.',
      CITIZEN_ID_INVALID: 'Số định danh gồm 12 chữ số.', RECORD_KEY_INVALID: 'Mã cơ sở hoặc mã bản ghi không hợp lệ.',
      QUERY_INVALID: 'Tham số tìm kiếm không hợp lệ.', JSON_FIELD_INVALID: 'Một trường không hợp lệ.',
      STORE_UNAVAILABLE: 'Hệ thống đang bận; thử lại.', INTERNAL: 'Lỗi máy chủ.', NETWORK: 'Không kết nối được máy chủ.',
      BODY_TOO_LARGE: 'Dữ liệu quá lớn.', other: 'Có lỗi ({code}).' },
  },
  en: {
    app: 'vaxsync — COVID-19 vaccination reconciliation',
    switchLang: 'Tiếng Việt', switchLangLabel: 'Chuyển sang tiếng Việt',
    logout: 'Log out', loginTitle: 'Log in', name: 'User name', password: 'Password',
    login: 'Log in', loggingIn: 'Logging in…', loggedOut: 'Logged out.',
    sessionLost: 'Your session has expired or is not valid. Please log in again.',
    roles: { clerk: 'Facility clerk', commune: 'Commune officer', district: 'District manager',
      province: 'Province manager', ministry: 'Ministry', admin: 'Administrator' },
    navReview: 'Review queue', navLookup: 'Citizen lookup', navSubmit: 'Submit a record',
    navFacility: 'Worklist', navDashboard: 'Dashboard', navAdmin: 'Administration',
    commune: 'Commune', communeCode: 'Commune code (5 digits)', load: 'Load', category: 'Category',
    all: 'All', refresh: 'Refresh', prevPage: 'Previous page', nextPage: 'Next page',
    pageInfo: 'Page {page} · {n} items', empty: 'No items left on this page.',
    loading: 'Loading…', queueLabel: 'Items to review',
    cats: { review: 'To confirm', unlinked: 'Unlinked', conflict: 'Conflict', correction: 'To correct',
      rejected: 'Rejected', withdrawn: 'Withdrawn' },
    record: 'Record', recordAsSent: 'The record as the facility sent it', candidate: 'Candidate',
    candidateCitizen: 'Candidate citizen', field: 'Field', level: 'Agreement', weight: 'Weight',
    running: 'Running total', compare: 'Field by field against the candidate', total: 'Total score',
    second: 'Second candidate', noCandidate: 'No candidate.', reasons: 'Reasons',
    suggestion: 'Suggested action (from the system)', evidence: 'Details (from the system)',
    fullExplanation: 'Full explanation (original text)', decision: 'Decision', thresholds: 'Thresholds',
    agreement: { agree: 'agrees', partial: 'partly agrees', disagree: 'disagrees', none: 'missing' },
    fields: { prior: 'Prior', family: 'Family name', middle: 'Middle name', given: 'Given name', dob: 'Date of birth',
      sex: 'Sex', id: 'ID number', phone: 'Phone', geo: 'Area (province/district/commune)',
      total: 'Total', record_id: 'Record id', facility_code: 'Facility code', full_name: 'Full name',
      id_number: 'ID number (CMND/CCCD)', address: 'Address', vaccine: 'Vaccine', lot: 'Lot',
      dose: 'Dose', shot_date: 'Shot date' },
    levels: {},
    actConfirm: 'Confirm', actChoose: 'Choose another', actReject: 'Reject', actNotRegistered: 'Not registered',
    actCorrect: 'Correct', actWithdraw: 'Withdraw', actWithdrawSure: 'Yes, withdraw this record',
    citizenId: 'Citizen id (CCCD, 12 digits)', note: 'Note', send: 'Send', cancel: 'Cancel',
    correctTitle: 'Correct fields (only changed fields are sent)', nothingChanged: 'No field was changed.',
    keys: 'Keys: C confirm · O choose another · R reject · N not registered · E correct · J/K next/previous',
    done: { confirm: 'Confirmed', choose: 'Citizen chosen', reject: 'Candidate rejected',
      'not-registered': 'Marked not registered', correct: 'Corrected and resent', withdraw: 'Record withdrawn' },
    outcome: 'Outcome', statusLabel: 'Status', put: { new: 'new record', same: 'unchanged', corrected: 'correction' },
    linkDecision: { auto: 'linked automatically', review: 'awaiting the commune', confirmed: 'confirmed', unlinked: 'unlinked' },
    status: { posted: 'posted to the registry', review: 'under review', correction: 'needs correction', not_posted: 'not posted' },
    submitTitle: 'Submit one shot record', submit: 'Submit record', submitted: 'Record submitted',
    newRecord: 'New record', sexM: 'Male', sexF: 'Female', sexUnknown: '(unknown)',
    dateHint: 'dd/mm/yyyy or yyyy-mm-dd', facilityTitle: "The facility's records to act on",
    lookupTitle: 'Look up a citizen of your area', lookup: 'Look up', history: 'Vaccination history',
    searchTitle: 'Search by name and date of birth', search: 'Search', searchMatch: 'Match',
    searchDobHint: 'dd/mm/yyyy, or the birth year only', searchNone: 'Nobody in your area matches.',
    searchFound: 'The best matches in your area ({n})',
    dash: {
      coverage: 'Vaccination coverage on {date}', totals: 'Population:', people: 'people',
      dose1: 'At least 1 dose', dose2: 'At least 2 doses', dose3: 'At least 3 doses',
      dose1Short: 'Dose 1', dose2Short: 'Dose 2', dose3Short: 'Dose 3', other: 'Other doses', total: 'Total',
      ageGroup: 'Age group', ageUnknown: 'Date of birth unknown', population: 'Population', area: 'Area',
      coverageByAge: 'Coverage by age group', coverageByArea: 'Coverage by area',
      csvAge: 'Download CSV by age group', csvArea: 'Download CSV by area',
      doses: 'Doses posted from {from} to {to}', dosesTotal: 'Doses in all:', dosesPerWeek: 'Doses per week',
      postings: 'Doses posted', weekFrom: 'Week from', csvDays: 'Download CSV per day',
      quality: 'Data quality: the {n} worst facilities (of {total})', worstFacilities: 'Facilities with the worst data',
      problemShare: 'Share in review or unlinked', reasonShare: 'Share of records with a problem', facility: 'Facility',
      records: 'Records', review: 'In review', unlinked: 'Unlinked', topReason: 'Most frequent problem',
      csvQuality: 'Download CSV by facility', csvReasons: 'Download CSV by reason',
      backlog: 'Review backlog', openItems: 'Open items:', decided: 'Decisions from {from} to {to}:',
      backlogByCommune: 'Open items by commune', commune: 'Commune', communeItems: 'Commune items', facilityItems: 'Facility items',
      csvBacklog: 'Download CSV of the backlog by commune', csvItems: 'Download CSV by kind', decisionsPerDay: 'Decisions per day',
      decisions: 'Decisions', day: 'Day', csvDecisions: 'Download CSV of decisions per day', csvDecisionsCommune: 'Download CSV of decisions by commune',
      asOf: 'As of', areaOf: 'Area', country: 'Whole country',
      from: 'From', to: 'To', allMine: 'All of my area', myCommunes: 'My communes', allOf: 'All of {area}',
      levels: { province: 'Province', district: 'District', commune: 'Commune', province2025: 'Province (from 2025)' },
      units: 'Administrative units', units2022: 'Before the merger (63 provinces, 2022)', units2025: 'After the merger (34 provinces, 2025)',
      coverageByCommune2025: 'Coverage by commune (from 2025)', commune2025: 'Commune (from 2025)',
      csvCommune2025: 'Download CSV by commune (from 2025)', unplaced2025: 'Not placed in a 2025 commune',
      approxTip: 'Approximate: {n} old (2022) communes split between several new ones; each old commune is counted whole in one new commune',
      approxNote: '≈ approximate ({n} communes): some old (2022) communes were split between several new communes; which part each person lives in is not known, so the whole old commune is counted in one new commune (the one with its code, else the first in the list). The province\'s totals stay exact.',
    },
    dashboardNote: 'Managers\' dashboards are not there yet: the API has no aggregates (coverage, data quality, backlog) to draw.',
    adminNote: 'Users and tokens are managed on the server with `vaxsync user` for now; the access audit with `vaxsync audit`.',
    navUpload: 'Upload a file', uploadTitle: 'Upload a vaccination file (CSV or Excel .xlsx)', uploadFile: 'File',
    uploadHint: 'A CSV file (UTF-8, with a header row) or an Excel .xlsx of the facility\'s template; sending the same file again changes nothing.',
    uploadSend: 'Upload', uploadPick: 'Choose a file first.', uploadSending: 'Sending the file', uploadProcessing: 'Processing',
    uploadEnded: 'Processed', uploadJob: 'Upload', uploadHistory: 'Your uploads', uploadNone: 'No uploads yet.',
    uploadSize: 'Size (bytes)', uploadRows: 'Result of each row ({n} rows)', uploadRowsCapped: 'Only the first {n} rows of the file are shown.',
    uploadLine: 'Line', uploadResult: 'Result', showMore: 'Show more', receipt: 'Receipt',
    uploadResults: { stored: 'stored', rejected: 'rejected' },
    jobStates: { queued: 'queued', running: 'running', done: 'done', failed: 'failed' },
    jobDecision: { linked: 'linked', review: 'awaiting the commune', unlinked: 'not linked' },
    receiptKeys: { rows: 'Rows', rejected: 'Rejected rows', other_facility: 'Rows of another facility', new: 'New', same: 'Unchanged',
      corrected: 'Corrections', linked: 'Linked', review: 'Awaiting review', unlinked: 'Not linked', posted: 'Posted', withdrawn: 'Withdrawn' },
    filters: 'Filters', reasonCode: 'Reason code', shotFrom: 'Shot date from', shotTo: 'Shot date to', applyFilters: 'Filter',
    adminTitle: 'Users and access audit', usersTitle: 'Users', userRole: 'Role', userArea: 'Area',
    userAreaHint: 'Clerk: facility code · Commune: 5-digit commune codes, comma-separated · District: 3 digits · Province: 2 digits · Ministry and admin: empty',
    tokens: 'API tokens', actionsLabel: 'Actions', userActive: 'active', userDisabled: 'disabled', userLocked: 'locked after failed logins',
    userLookup: 'lookup right', userLookupRight: 'May read personal data (managers)', userCreate: 'Create user',
    userCreated: 'User created', userDisable: 'Disable', userEnable: 'Enable', userDisabledDone: 'Disabled', userEnabled: 'Enabled',
    userUnlock: 'Unlock', userUnlocked: 'Unlocked', passwordReset: 'Reset password', newPassword: 'New password',
    passwordHint: 'At least 8 characters.', tokenLabel: 'Token label (which system uses it)', tokenIssue: 'Issue API token', tokenRevoke: 'Revoke',
    tokenRevoked: 'Token revoked', tokenNew: 'New API token', tokenOnce: 'This token is shown once: copy it now and pass it safely to the facility\'s system.',
    tokenHide: 'Copied, hide it', auditTitle: 'Access audit',
    roleChange: 'Change role/area', roleChanged: 'Role/area changed', confirmYes: 'Confirm',
    roleConfirm: 'Make {name} {role}, area {area}? Every session and API token of this user is revoked.',
    auditNote: 'The audit holds ids only (citizen ids, facility and record codes, user names), no other personal data. Reading it is audited too.',
    auditApply: 'Filter the audit', auditInfo: 'From row {from} · {n} rows', auditEmpty: 'No rows match the filter.',
    auditFilters: { actor: 'Actor', citizen: 'Citizen id (12 digits)', facility: 'Facility code', record: 'Record id',
      action: 'Action (prefix, e.g. read:)', from: 'From', to: 'To' },
    auditCols: { at: 'At (UTC)', actor: 'Actor', role: 'Role', action: 'Action', subject: 'Subject',
      result: 'Result', endpoint: 'Endpoint', detail: 'Detail' },
    errors: {
      USER_EXISTS: 'A user of that name exists.', USER_FIELDS: 'A name (letters, digits, . _ - @) and a role are required.',
      USER_AREA_INVALID: 'The area does not fit the role.', USER_PASSWORD_INVALID: 'A password has 8 to 1024 characters.',
      USER_SELF_CHANGE: 'You cannot disable or demote your own account.', BODY_NOT_CSV: 'Only CSV or Excel .xlsx files are taken.',
      UPLOAD_TOO_LARGE: 'The file is too large.', SPOOL_UNAVAILABLE: 'The server cannot take files now; try again.',
      LOGIN_FAILED: 'Wrong user name or password.', LOGIN_LOCKED: 'The account is locked after too many failures. Try again later.',
      LOGIN_FIELDS: 'Enter a user name and a password.', NOT_APPLICABLE: 'This decision does not apply to the record as it is.',
      ROLE_DENIED: 'Your role or area may not do this.', NOT_FOUND: 'Not found in your area.',
      CSRF_MISSING: 'The session is not valid; log in again.', CSRF_INVALID: 'The session is not valid; log in again.',
      AUTH_REQUIRED: 'Please log in.', AUTH_SESSION_INVALID: 'Your session has expired; log in again.',
      CITIZEN_ID_INVALID: 'A citizen id is 12 digits.', RECORD_KEY_INVALID: 'The facility code or record id is not valid.',
      QUERY_INVALID: 'A search parameter is not valid.', JSON_FIELD_INVALID: 'A field is not valid.',
      STORE_UNAVAILABLE: 'The service is busy; try again.', INTERNAL: 'Server error.', NETWORK: 'Cannot reach the server.',
      BODY_TOO_LARGE: 'Too much data.', other: 'Error ({code}).' },
  },
};

let lang = (() => {
  try { return localStorage.getItem('vaxsync.lang') === 'en' ? 'en' : 'vi'; } catch (e) { return 'vi'; }
})();

export function getLang() { return lang; }

// Whether a language was chosen on this computer (the switch), over the
// one the browser asks for.
export function langChosen() {
  try { return localStorage.getItem('vaxsync.lang') !== null; } catch (e) { return false; }
}

// keep: remember it on this computer (the switch), not for the browser's own.
export function setLang(l, keep = true) {
  lang = l === 'en' ? 'en' : 'vi';
  if (keep) try { localStorage.setItem('vaxsync.lang', lang); } catch (e) { /* private mode */ }
  document.documentElement.lang = lang;
}

// t('a.b', {x: 1}): the text for the key in the current language ({x} filled).
export function t(key, vars) {
  let v = key.split('.').reduce((o, k) => (o && o[k] !== undefined ? o[k] : undefined), S[lang]);
  if (v === undefined) return undefined;
  if (vars) v = v.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return v;
}

// A label for a key under a group, the raw value when none (levels, categories).
export function tl(group, value) {
  const v = t(group + '.' + value);
  return v === undefined ? value : v;
}

export function errorText(err) {
  const code = (err && err.code) || 'INTERNAL';
  return t('errors.' + code) || t('errors.other', { code });
}

// An ISO date (YYYY-MM-DD, YYYY-MM, YYYY) as the language writes it.
export function fmtDate(s) {
  if (typeof s !== 'string') return s;
  if (lang !== 'vi') return s;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) return `${m[2]}/${m[1]}`;
  return s;
}

// A worklist item's suggestion and evidence in the page's language: the service gives both in
// Vietnamese too (suggestion_vi, evidence_vi: docs/api.md).
export function itemSuggestion(it) {
  return lang === 'vi' && typeof it.suggestion_vi === 'string' && it.suggestion_vi ? it.suggestion_vi : it.suggestion;
}
export function itemEvidence(it) {
  return lang === 'vi' && typeof it.evidence_vi === 'string' ? it.evidence_vi : fmtDatesIn(it.evidence);
}

// Formats every ISO date inside a text (the engine's explanations and evidence).
export function fmtDatesIn(text) {
  if (lang !== 'vi' || typeof text !== 'string') return text;
  return text.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (m, y, mo, d) => `${d}/${mo}/${y}`);
}
